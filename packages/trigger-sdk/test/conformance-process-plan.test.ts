import { describe, expect, test } from "vitest";
import { planTriggerProcess } from "../src/conformance/trigger-process.js";

const shellEnv = { PATH: "/bin", HOME: "/home/u", DOCKER_HOST: "unix:///d.sock", GOFER_PLUGIN_CONFIG_X: "leak" };

describe("how the suite runs a trigger", () => {
  test("a command gets the mode as its last argument and only PATH/HOME plus the trigger env", () => {
    const plan = planTriggerProcess(
      { kind: "command", command: "node", args: ["trigger.js"], cwd: "/app" },
      { mode: "server", env: { GOFER_PLUGIN_SYSTEM_KEY: "k" } },
      shellEnv,
    );
    expect(plan).toMatchObject({
      file: "node",
      args: ["trigger.js", "server"],
      env: { PATH: "/bin", HOME: "/home/u", GOFER_PLUGIN_SYSTEM_KEY: "k" },
      cwd: "/app",
      containerName: undefined,
    });
    expect(Object.keys(plan.env)).toHaveLength(3);
  });

  test("a one-shot command gets no trigger env, and no argument at all when asked", () => {
    const plan = planTriggerProcess(
      { kind: "command", command: "./trigger" },
      { mode: "one-shot", arg: undefined },
      shellEnv,
    );
    expect(plan.args).toEqual([]);
    expect(plan.env).toEqual({ PATH: "/bin", HOME: "/home/u" });
  });

  test("an image in server mode runs on the host network with its entrypoint, env passed by name only", () => {
    const plan = planTriggerProcess(
      { kind: "image", image: "cron:latest" },
      { mode: "server", env: { GOFER_PLUGIN_SYSTEM_KEY: "secret", GOFER_PLUGIN_SYSTEM_HOST: "127.0.0.1:5000" } },
      shellEnv,
      "gofer-conformance-1",
    );
    expect(plan.file).toBe("docker");
    expect(plan.args).toEqual([
      "run",
      "--rm",
      "--name",
      "gofer-conformance-1",
      "--network",
      "host",
      "-e",
      "GOFER_PLUGIN_SYSTEM_KEY",
      "-e",
      "GOFER_PLUGIN_SYSTEM_HOST",
      "cron:latest",
    ]);
    expect(plan.env).toMatchObject({ DOCKER_HOST: "unix:///d.sock", GOFER_PLUGIN_SYSTEM_KEY: "secret" });
    expect(plan.commandLine).not.toContain("secret");
  });

  test("an image installer runs ./trigger installer without network", () => {
    const plan = planTriggerProcess(
      { kind: "image", image: "interval", dockerCommand: "/usr/bin/podman" },
      { mode: "one-shot", arg: "installer" },
      shellEnv,
      "gofer-conformance-2",
    );
    expect(plan.file).toBe("/usr/bin/podman");
    expect(plan.args).toEqual([
      "run",
      "--rm",
      "--name",
      "gofer-conformance-2",
      "--network",
      "none",
      "--entrypoint",
      "./trigger",
      "interval",
      "installer",
    ]);
  });
});
