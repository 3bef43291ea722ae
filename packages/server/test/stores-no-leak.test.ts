// A secret's value never reaches the server's log (at debug level), its events or its errors, whatever happens to it:
// put, read, resolved into a task, refused, mistyped.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

const VALUE = "NEVER-LOG-THIS-7f3a";
let s: TestServer;
const written: string[] = [];

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  s = await startTestServer({ logLevel: "debug" });
}, 30_000);

afterAll(async () => {
  await s?.destroy();
  vi.restoreAllMocks();
});

describe("secret values", () => {
  it("stay out of logs, events and errors", async () => {
    const ref = { namespaceId: "default", pipelineId: "leak" };
    await s.api.putPipelineSecret({ ...ref, key: "k", content: VALUE, force: false });
    await s.api.putGlobalSecret({ key: "g", content: VALUE, force: false });
    const errors: string[] = [];
    for (const attempt of [
      () => s.api.putPipelineSecret({ ...ref, key: "k", content: VALUE, force: false }),
      () => s.api.putPipelineSecret({ ...ref, key: "bad key", content: VALUE, force: false }),
      () => s.api.putGlobalSecret({ key: "g", content: VALUE, force: false }),
    ]) {
      await attempt().catch((e: { details: string }) => errors.push(e.details));
    }
    expect(errors).toHaveLength(3);
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: {
        id: "leak",
        name: "leak",
        description: "",
        parallelism: 0n,
        triggers: [],
        tasks: [
          {
            task: {
              $case: "customTask",
              value: {
                id: "t",
                description: "",
                image: "alpine:3",
                registryAuth: undefined,
                dependsOn: {},
                variables: { A: "pipeline_secret{{k}}", B: "pipeline_secret{{missing}}" },
                entrypoint: [],
                command: ["sh", "-c", "true"],
              },
            },
          },
        ],
      },
    });
    const run = (
      await s.api.startRun({ namespaceId: "default", pipelineId: "leak", variables: {}, initiator: undefined })
    ).run;
    await vi.waitFor(async () => {
      const got = (await s.api.getRun({ namespaceId: "default", pipelineId: "leak", id: run?.id ?? 0n })).run;
      expect(got?.state).toBe(3);
    }, 20_000);
    const taskRun = (
      await s.api.getTaskRun({ namespaceId: "default", pipelineId: "leak", runId: run?.id ?? 0n, id: "t" })
    ).taskRun;
    expect(taskRun?.statusReason?.description).toContain("pipeline_secret{{missing}}");
    const events: string[] = [];
    for await (const item of s.client.listEvents({ reverse: false, follow: false }))
      events.push(item.event?.details ?? "");
    // The capture does see the server's log.
    expect(written.join("")).toContain("run started");
    for (const text of [
      ...written,
      ...errors,
      ...events,
      JSON.stringify(taskRun, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    ]) {
      expect(text).not.toContain(VALUE);
    }
  }, 30_000);
});
