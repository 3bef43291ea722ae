// Many API calls open at once: each listens on the server's shutdown signal until it ends. Node warns of a "possible
// EventTarget memory leak" past 10 listeners on one signal, which told users of a leak that is not there.
import { afterEach, expect, test } from "vitest";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.destroy();
  server = undefined;
});

test("50 concurrent StartRun calls are all answered, with no listener-leak warning", async () => {
  server = await startTestServer();
  const pipelineConfig = { ...intervalPipeline("many"), tasks: [], triggers: [] };
  await server.api.createPipeline({ namespaceId: "default", pipelineConfig });
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on("warning", onWarning);
  try {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        server?.api.startRun({ namespaceId: "default", pipelineId: "many", variables: {}, initiator: undefined }),
      ),
    );
    expect(new Set(answers.map((answer) => answer?.run?.id)).size).toBe(50);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
});
