// The extension shim with a v0.5 extension *image* on the docker engine: its kind is detected from the image (it has
// ./extension, no ./trigger), it reaches the API over TLS trusting the certificate mounted as SSL_CERT_FILE, and its
// StartRun calls become runs. Host networking keeps all traffic on loopback.
import { Trigger_TriggerState } from "@gofer/proto";
import { afterAll, beforeAll, describe, expect, inject, test, vi } from "vitest";
import { pipelineConfig, startDockerServer, uniqueId, WAIT } from "./docker-harness.js";
import type { TestServer } from "./server-harness.js";

const docker = inject("docker");
let s: TestServer | undefined;

describe.skipIf(!docker.available)("v0.5 extension image on the docker engine", () => {
  beforeAll(async () => {
    s = await startDockerServer();
  }, 60_000);
  afterAll(() => s?.destroy());

  test("is detected as an extension, starts runs through StartRun, and stops with the server", async () => {
    const server = s as TestServer;
    const name = uniqueId("ext");
    await server.api.installTrigger({
      name,
      image: "gofer-test-extension:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "0.1" },
    });
    expect((await server.api.getTrigger({ name })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
    await server.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(
        "ext_image",
        [{ id: "hello", command: ["sh", "-c", "echo hi"] }],
        // Every half second: a run soon, without a task container every quarter second on a shared daemon.
        [{ name, label: "tick", settings: { EVERY: "0.5" } }],
      ),
    });
    await vi.waitFor(async () => {
      const runs = (
        await server.api.listRuns({ namespaceId: "default", pipelineId: "ext_image", offset: 0n, limit: 0n })
      ).runs;
      expect(runs.length).toBeGreaterThanOrEqual(1);
      expect(runs[0]?.trigger).toEqual({ name, label: "tick" });
    }, WAIT);
  }, 90_000);
});
