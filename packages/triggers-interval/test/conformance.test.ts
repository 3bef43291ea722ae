// The trigger contract, checked by the conformance suite against the interval trigger exactly as Gofer runs it: the
// ./trigger executable with the extended profile (every v0.4 core case, and what ours add beyond it: every case must
// pass, not merely warn), and the offline-built image with the core profile whenever Docker answers (always in CI).
import { fileURLToPath } from "node:url";
import { type ConformanceReport, formatReport, runConformance } from "@gofer/trigger-sdk/conformance";
import { describe, expect, inject, test } from "vitest";

const executable = fileURLToPath(new URL("../trigger", import.meta.url));
const docker = inject("docker");

/** Cases that did not pass, with the status and message of each. */
function notPassed(report: ConformanceReport): string[] {
  return report.cases.filter((c) => c.status !== "pass").map((c) => `${c.id} ${c.status}: ${c.message}`);
}

describe("interval trigger conformance", () => {
  test("as a command, in the extended profile", async () => {
    const report = await runConformance({
      trigger: "interval",
      profile: "extended",
      target: { kind: "command", command: executable },
    });
    expect(report.passed, formatReport(report)).toBe(true);
    expect(notPassed(report), formatReport(report)).toEqual([
      "ext.cron.seven-field skip: applies to --trigger cron, not interval",
      "ext.cron.timezone skip: applies to --trigger cron, not interval",
    ]);
  }, 120_000);

  test.skipIf(!docker.available)(
    "as the image gofer-trigger-interval:latest, in the core profile",
    async () => {
      const report = await runConformance({
        trigger: "interval",
        target: { kind: "image", image: "gofer-trigger-interval:latest" },
      });
      expect(report.profile).toBe("core");
      expect(notPassed(report), formatReport(report)).toEqual([]);
    },
    180_000,
  );
});
