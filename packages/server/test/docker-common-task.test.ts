// A common task on a real Docker daemon: the debug common task's image (built offline by `pnpm images`) gives its
// install instructions from a container and runs as a task container with its settings and install config, the
// install config resolving a global secret.
import { Run_RunState, Run_RunStatus } from "@gofer/proto";
import { afterEach, describe, expect, inject, test, vi } from "vitest";
import {
  pipelineConfig,
  removeContainersLabelled,
  startDockerServer,
  taskRunLogLines,
  uniqueId,
  WAIT,
} from "./docker-harness.js";
import type { TestServer } from "./server-harness.js";

const available = inject("docker").available;
const IMAGE = "gofer-common-task-debug:latest";
let cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe.skipIf(!available)("docker engine: common tasks", () => {
  test("the debug common task installs from its image and runs as a container with its settings and config", async () => {
    const s: TestServer = await startDockerServer();
    cleanups.push(() => s.destroy());
    const name = uniqueId("debug");
    const pipelineId = uniqueId("ct");
    cleanups.unshift(() => removeContainersLabelled({ "gofer.pipeline": pipelineId }));

    const { instructions } = await s.api.getCommonTaskInstallInstructions({ image: IMAGE, user: "", pass: "" });
    expect(JSON.parse(instructions).instructions.at(-1).query.config_key).toBe("filter");

    await s.api.putGlobalSecret({ key: `${name}_token`, content: "DOCKER-GLOBAL-SECRET", force: true });
    await s.api.installCommonTask({
      name,
      image: IMAGE,
      user: "",
      pass: "",
      variables: { filter: "true", token: `global_secret{{${name}_token}}` },
      documentation: "",
    });
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: {
        id: pipelineId,
        name: pipelineId,
        description: "",
        parallelism: 0n,
        triggers: [],
        tasks: [
          {
            task: {
              $case: "commonTask",
              value: { name, label: "debug", description: "", dependsOn: {}, settings: { greeting: "hi" } },
            },
          },
        ],
      },
    });
    const run = (await s.api.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined })).run;
    const done = await vi.waitFor(async () => {
      const current = (await s.api.getRun({ namespaceId: "default", pipelineId, id: run?.id ?? 0n })).run;
      expect(current?.state).toBe(Run_RunState.COMPLETE);
      return current;
    }, WAIT);
    expect(done?.status).toBe(Run_RunStatus.SUCCESSFUL);
    const lines = await taskRunLogLines(s, pipelineId, run?.id ?? 0n, "debug");
    expect(lines).toContain("Printing out env vars");
    expect(lines).toContain("GOFER_PLUGIN_PARAM_GREETING=hi");
    expect(lines).toContain("GOFER_PLUGIN_CONFIG_TOKEN=[redacted]");
    expect(lines.join("\n")).not.toContain("DOCKER-GLOBAL-SECRET");
  }, 60_000);

  test("a task container gets its run's API address, token and the API certificate, mounted read-only", async () => {
    const s: TestServer = await startDockerServer();
    cleanups.push(() => s.destroy());
    const pipelineId = uniqueId("creds");
    cleanups.unshift(() => removeContainersLabelled({ "gofer.pipeline": pipelineId }));
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(pipelineId, [
        {
          id: "creds",
          command: [
            "sh",
            "-c",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell's ${#VAR} (the token's length)
            'echo "host=$GOFER_CLI_HOST ns=$GOFER_CLI_NAMESPACE token=${#GOFER_CLI_TOKEN}"; head -1 "$GOFER_CLI_TLS_CA"',
          ],
        },
      ]),
    });
    const run = (await s.api.startRun({ namespaceId: "default", pipelineId, variables: {}, initiator: undefined })).run;
    await vi.waitFor(async () => {
      const current = (await s.api.getRun({ namespaceId: "default", pipelineId, id: run?.id ?? 0n })).run;
      expect(current?.state).toBe(Run_RunState.COMPLETE);
    }, WAIT);
    expect(await taskRunLogLines(s, pipelineId, run?.id ?? 0n, "creds")).toEqual([
      `host=127.0.0.1:${s.server.port} ns=default token=64`,
      "-----BEGIN CERTIFICATE-----",
    ]);
  }, 60_000);
});
