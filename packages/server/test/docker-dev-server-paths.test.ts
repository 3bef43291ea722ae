// A dev server started in a directory of its own keeps its data under ./.gofer-dev, a relative path; on the docker
// engine every path handed to Docker must still be absolute (Docker refuses "mount path must be absolute"). The
// ordinary case: `gofer service start --dev` in a project directory, then a v0.5 extension installed on docker, which
// gets the API's certificate bind-mounted.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GoferClient, promiseClient } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, inject, test, vi } from "vitest";
import { createServer, createServerLogger, loadConfig, type RunningServer } from "../src/index.js";
import { readOnlyBind } from "../src/scheduler/docker-container-spec.js";
import { pipelineConfig, removeContainersLabelled, uniqueId, WAIT } from "./docker-harness.js";

const docker = inject("docker");

test("a read-only file given by a relative path is bound at its absolute path", () => {
  const bind = readOnlyBind(".gofer-dev/api-cert.pem");
  const absolute = join(process.cwd(), ".gofer-dev", "api-cert.pem");
  expect(bind).toBe(`${absolute}:${absolute}:ro`);
  expect(readOnlyBind("/etc/gofer/api.crt")).toBe("/etc/gofer/api.crt:/etc/gofer/api.crt:ro");
});

describe.skipIf(!docker.available)("a dev server started from its own directory, on the docker engine", () => {
  const originalCwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), "gofer-dev-cwd-"));
  let server: RunningServer | undefined;
  let client: GoferClient | undefined;
  const name = uniqueId("legacyext");

  beforeAll(async () => {
    process.chdir(dir);
    const config = loadConfig({
      env: {},
      flags: {
        dev_mode: true,
        "server.host": "127.0.0.1:0",
        "external_events_api.host": "127.0.0.1:0",
        "scheduler.engine": "docker",
        "scheduler.docker.network": "host",
        "triggers.install_base_triggers": false,
        "triggers.stop_timeout": "5s",
        log_level: "error",
      },
    });
    // The premise: the data directory is the relative default, not a path the test chose.
    expect(config.server.storagePath).toBe(".gofer-dev/gofer.db");
    server = await createServer(config, { logger: createServerLogger({ level: "error", pretty: true }) });
    const credentials = grpc.credentials.createSsl(Buffer.from(server.apiCertPem ?? ""), null, null, {
      checkServerIdentity: () => undefined,
    });
    client = new GoferClient(server.address, credentials, { "grpc.ssl_target_name_override": "localhost" });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await server?.stop("test finished");
    await removeContainersLabelled({ gofer: "true", "gofer.trigger": name }).catch(() => {});
    process.chdir(originalCwd);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test("installs an original-style v0.5 extension, which reaches the API through the mounted certificate", async () => {
    const api = promiseClient(client as GoferClient, { timeoutMs: 120_000 });
    await api.installTrigger({
      name,
      image: "gofer-test-extension:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1" },
    });
    await api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(
        "relative_dev",
        [{ id: "hello", command: ["sh", "-c", "echo hi"] }],
        [{ name, label: "tick", settings: { EVERY: "1" } }],
      ),
    });
    await vi.waitFor(async () => {
      const runs = (await api.listRuns({ namespaceId: "default", pipelineId: "relative_dev", offset: 0n, limit: 0n }))
        .runs;
      expect(runs[0]?.trigger).toEqual({ name, label: "tick" });
    }, WAIT);
  }, 120_000);
});
