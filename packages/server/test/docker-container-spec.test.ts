// How a ContainerSpec becomes a container on the docker engine (spec §2.2, §2.8, §5.2): the name, the stale container
// of the same name removed first, env/entrypoint/command, labels, and networking (host: own loopback address through
// the address env; bridge: the listen port published on 127.0.0.1 with an ephemeral host port; none for installers).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock, systemClock } from "@gofer/kernel";
import { describe, expect, inject, test } from "vitest";
import type { DockerNetwork } from "../src/config/config.js";
import { connectDocker } from "../src/scheduler/docker-api.js";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { SchedulerError } from "../src/scheduler/scheduler.js";
import { FakeDockerApi, httpError, recordingLogger } from "./docker-fake-api.js";
import { TASK_IMAGE, uniqueId } from "./docker-harness.js";

function setup(network: DockerNetwork = "host", extensionAddress?: string) {
  const api = new FakeDockerApi();
  api.images.add("img");
  const { logger } = recordingLogger();
  const engine = new DockerScheduler({
    api,
    network,
    clock: new FakeClock(),
    logger,
    ...(extensionAddress ? { extensionAddress } : {}),
  });
  return { api, engine };
}

const LISTEN = { containerPort: 8080, addressEnv: "GOFER_PLUGIN_SYSTEM_HOST" };

describe("docker container spec", () => {
  test("a trigger on host networking gets its own 127.0.0.1 port through its address env, and that address back", async () => {
    const { api, engine } = setup("host");
    const a = await engine.start({ name: "trigger_a", image: "img", env: { X: "1" }, listen: LISTEN, labels: {} });
    const b = await engine.start({
      name: "extension_b",
      image: "img",
      env: {},
      listen: { containerPort: 8082, addressEnv: "GOFER_EXTENSION_SYSTEM_HOST" },
      labels: {},
    });
    expect(a.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(b.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(a.address).not.toBe(b.address);
    const created = api.find("trigger_a")?.options;
    expect(created?.Env).toEqual(["X=1", `GOFER_PLUGIN_SYSTEM_HOST=${a.address}`]);
    expect(created?.HostConfig).toEqual({ NetworkMode: "host" });
    expect(created?.ExposedPorts).toBeUndefined();
    expect(api.find("extension_b")?.options.Env).toEqual([`GOFER_EXTENSION_SYSTEM_HOST=${b.address}`]);
  });

  test("on a bridge the listen port is published on 127.0.0.1 with an ephemeral host port, as the original", async () => {
    const { api, engine } = setup("bridge");
    const started = await engine.start({ name: "trigger_a", image: "img", env: {}, listen: LISTEN, labels: {} });
    expect(started.address).toBe("127.0.0.1:49153");
    const created = api.find("trigger_a")?.options;
    expect(created?.ExposedPorts).toEqual({ "8080/tcp": {} });
    expect(created?.HostConfig).toEqual({
      NetworkMode: "bridge",
      PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
    });
    expect(created?.Env).toEqual(["GOFER_PLUGIN_SYSTEM_HOST=0.0.0.0:8080"]);
  });

  test("an installer runs with networking off, its entrypoint overridden, and no address", async () => {
    const { api, engine } = setup("bridge");
    const started = await engine.start({
      name: "installer_0a1b2c3d4e",
      image: "img",
      env: { GOFER_PLUGIN_SYSTEM_NAME: "Installer" },
      entrypoint: ["./trigger", "installer"],
      network: "none",
      labels: { gofer: "true", "gofer.kind": "installer" },
    });
    expect(started.address).toBeUndefined();
    expect(api.find("installer_0a1b2c3d4e")?.options).toEqual({
      name: "installer_0a1b2c3d4e",
      Image: "img",
      Env: ["GOFER_PLUGIN_SYSTEM_NAME=Installer"],
      Labels: { gofer: "true", "gofer.kind": "installer" },
      Entrypoint: ["./trigger", "installer"],
      HostConfig: { NetworkMode: "none" },
    });
  });

  test("a task gets its variables as env, its command, and the gofer label even when the caller forgot it", async () => {
    const { api, engine } = setup("host");
    await engine.start({
      name: "task.default.p.1.build",
      image: "img",
      env: { GOFER_RUN_ID: "1", GREETING: "a=b c" },
      command: ["sh", "-c", "echo $GREETING"],
      entrypoint: [],
      labels: { "gofer.kind": "task", "gofer.run": "1" },
    });
    const created = api.find("task.default.p.1.build")?.options;
    expect(created?.Env).toEqual(["GOFER_RUN_ID=1", "GREETING=a=b c"]);
    expect(created?.Cmd).toEqual(["sh", "-c", "echo $GREETING"]);
    expect(created?.Entrypoint).toBeUndefined(); // an empty entrypoint keeps the image's
    expect(created?.Labels).toEqual({ "gofer.kind": "task", "gofer.run": "1", gofer: "true" });
    expect(await engine.list({ "gofer.run": "1" })).toEqual([
      { state: "running", id: api.find("task.default.p.1.build")?.id, labels: created?.Labels },
    ]);
  });

  test("read-only files are bind-mounted at the same path, read-only", async () => {
    const { api, engine } = setup("host");
    await engine.start({
      name: "extension_a",
      image: "img",
      env: {},
      readOnlyFiles: ["/var/lib/gofer/api.crt"],
      labels: {},
    });
    expect(api.find("extension_a")?.options.HostConfig).toEqual({
      NetworkMode: "host",
      Binds: ["/var/lib/gofer/api.crt:/var/lib/gofer/api.crt:ro"],
    });
  });

  test("a stale container of the same name is force-removed first, and its waiters learn why it ended", async () => {
    const { api, engine } = setup("host");
    const first = await engine.start({ name: "trigger_a", image: "img", env: {}, listen: LISTEN, labels: {} });
    const firstExit = engine.wait(first.id);
    const second = await engine.start({ name: "trigger_a", image: "img", env: {}, listen: LISTEN, labels: {} });
    expect(second.id).not.toBe(first.id);
    expect(api.containers.has(first.id)).toBe(false);
    expect(await firstExit).toEqual({ exitCode: 137, reason: 'replaced by a new container named "trigger_a"' });
  });

  test("an id prefix that happens to match a name is not taken for a stale container", async () => {
    const { api, engine } = setup("host");
    const { id } = await engine.start({ name: "task_a", image: "img", env: {}, labels: {} });
    // The daemon resolves "0001" to the container whose id starts with it; its name is not "0001".
    await engine.start({ name: id.slice(0, 4), image: "img", env: {}, labels: {} }).catch(() => {});
    expect(api.containers.get(id)?.status).toBe("running");
  });

  test("a container that cannot start is removed and its start fails naming the container, image and reason", async () => {
    const { api, engine } = setup("host");
    const create = api.createContainer.bind(api);
    api.createContainer = async (options) => {
      const container = await create(options);
      return {
        ...container,
        start: async () => {
          throw httpError(400, 'exec: "nonexistent": executable file not found in $PATH');
        },
      };
    };
    const started = engine.start({ name: "task_bad", image: "img", env: {}, command: ["nonexistent"], labels: {} });
    await expect(started).rejects.toThrow(SchedulerError);
    await expect(started).rejects.toThrow(
      'container "task_bad" from image "img" could not start: exec: "nonexistent": executable file not found in $PATH',
    );
    expect(api.find("task_bad")).toBeUndefined();
  });

  test("a container that was created but never started counts as exited without an exit code", async () => {
    const { api, engine } = setup("host");
    const container = await api.createContainer({
      name: "task.default.p.2.x",
      Image: "img",
      Env: [],
      Labels: { gofer: "true" },
      HostConfig: { NetworkMode: "host" },
    });
    expect(await engine.inspect(container.id)).toEqual({
      state: "exited",
      id: container.id,
      labels: { gofer: "true" },
      exitCode: null,
    });
    expect(await engine.inspect("0000missing")).toEqual({ state: "unknown", id: "0000missing" });
  });

  test("containers reach the API at the configured address, on the host's loopback, or at the bridge's gateway", async () => {
    expect(await setup("host", "gofer.internal:8080").engine.apiAddressForContainers(8080)).toBe("gofer.internal:8080");
    expect(await setup("host").engine.apiAddressForContainers(8443)).toBe("127.0.0.1:8443");
    expect(await setup("bridge").engine.apiAddressForContainers(8080)).toBe("172.18.0.1:8080");
  });

  test.skipIf(!inject("docker").available)(
    "on a real daemon, a read-only file is readable and not writable",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "gofer-docker-ro-"));
      const file = join(dir, "api.crt");
      writeFileSync(file, "CERTIFICATE\n");
      const engine = new DockerScheduler({
        api: connectDocker(),
        network: "host",
        clock: systemClock,
        logger: recordingLogger().logger,
      });
      const name = uniqueId("gofer_test_ro_");
      try {
        const { id } = await engine.start({
          name,
          image: TASK_IMAGE,
          env: {},
          command: ["sh", "-c", `cat ${file}; echo changed > ${file} || echo refused`],
          readOnlyFiles: [file],
          labels: {},
        });
        const lines: string[] = [];
        for await (const line of engine.logs(id)) lines.push(line);
        // Docker copies stdout and stderr separately, so the shell's complaint may land anywhere among the lines.
        expect(lines).toContain("CERTIFICATE");
        expect(lines).toContain("refused");
        expect(readFileSync(file, "utf8")).toBe("CERTIFICATE\n");
        await engine.remove(id);
      } finally {
        await engine.close(0);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
