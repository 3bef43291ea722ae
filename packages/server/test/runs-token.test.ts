// A run's own API token (auth/run-tokens.ts), seen the way a task and a user see it: the task gets it in its env, it
// is a CLIENT token for the run's namespace while the run is RUNNING, and it stops working when the run completes
// (it is stored in the commit that starts the run and deleted in the one that completes it).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Run_RunState, Run_RunStatus, Token_Kind } from "@gofer/proto";
import { afterEach, expect, test, vi } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

const WAIT = { timeout: 20_000, interval: 50 };
let server: TestServer | undefined;

afterEach(async () => {
  await server?.destroy();
  server = undefined;
});

test("a task's GOFER_API_TOKEN works while its run is RUNNING and stops working when the run completes", async () => {
  server = await startTestServer();
  const { api, client } = server;
  const release = join(server.dir, "release");
  expect(existsSync(release)).toBe(false);
  await api.createPipeline({
    namespaceId: "default",
    pipelineConfig: {
      id: "token",
      name: "token",
      description: "",
      parallelism: 0n,
      triggers: [],
      tasks: [
        {
          task: {
            $case: "customTask",
            value: {
              id: "show",
              description: "",
              image: "alpine:3",
              registryAuth: undefined,
              dependsOn: {},
              variables: {},
              entrypoint: [],
              // Prints the token, then holds the run RUNNING until the test releases it.
              command: ["sh", "-c", `echo "$GOFER_API_TOKEN"; while [ ! -e '${release}' ]; do sleep 0.05; done`],
            },
          },
        },
      ],
    },
  });
  const run = (await api.startRun({ namespaceId: "default", pipelineId: "token", variables: {}, initiator: undefined }))
    .run;
  const runId = run?.id ?? 0n;

  let token = "";
  for await (const item of client.getTaskRunLogs({ namespaceId: "default", pipelineId: "token", runId, id: "show" })) {
    token = item.logLine;
    break;
  }
  expect(token).toMatch(/^[0-9a-f]{64}$/);
  const details = (await api.getToken({ token })).details;
  expect(details?.kind).toBe(Token_Kind.CLIENT);
  expect(details?.namespaces).toEqual(["default"]);

  writeFileSync(release, "");
  const completed = await vi.waitFor(async () => {
    const got = (await api.getRun({ namespaceId: "default", pipelineId: "token", id: runId })).run;
    expect(got?.state).toBe(Run_RunState.COMPLETE);
    return got;
  }, WAIT);
  expect(completed?.status).toBe(Run_RunStatus.SUCCESSFUL);
  await expect(api.getToken({ token })).rejects.toThrow(/token not found/);
}, 30_000);
