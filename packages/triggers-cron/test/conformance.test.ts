// The v0.4 trigger contract, checked by the conformance suite against the cron trigger exactly as Gofer runs it: the
// ./trigger executable, and the offline-built image whenever Docker answers (always in CI).
import { fileURLToPath } from "node:url";
import { formatReport, runConformance } from "@gofer/trigger-sdk/conformance";
import { describe, expect, inject, test } from "vitest";

const executable = fileURLToPath(new URL("../trigger", import.meta.url));
const docker = inject("docker");

describe("cron trigger conformance", () => {
  test("as a command", async () => {
    const report = await runConformance({ trigger: "cron", target: { kind: "command", command: executable } });
    expect(report.passed, formatReport(report)).toBe(true);
  }, 120_000);

  test.skipIf(!docker.available)(
    "as the image gofer-trigger-cron:latest",
    async () => {
      const report = await runConformance({
        trigger: "cron",
        target: { kind: "image", image: "gofer-trigger-cron:latest" },
      });
      expect(report.passed, formatReport(report)).toBe(true);
    },
    180_000,
  );
});
