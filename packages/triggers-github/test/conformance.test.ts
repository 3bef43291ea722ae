// The trigger contract, checked by the conformance suite against the github trigger exactly as Gofer runs it: the
// ./trigger executable in the extended profile (the v0.4 core cases, the webhook cases external.event and
// external.bad-signature, prefixed keys), and the offline-built image in the core profile whenever Docker answers.
import { fileURLToPath } from "node:url";
import { type ConformanceReport, formatReport, runConformance } from "@gofer/trigger-sdk/conformance";
import { describe, expect, inject, test } from "vitest";

const executable = fileURLToPath(new URL("../trigger", import.meta.url));
const docker = inject("docker");

/** Cases that did not pass, with the status and message of each. */
function notPassed(report: ConformanceReport): string[] {
  return report.cases.filter((c) => c.status !== "pass").map((c) => `${c.id} ${c.status}: ${c.message}`);
}

// github fires on webhooks, not on time: the time-driven delivery cases do not apply to it.
const TIME_CASES_SKIPPED = [
  "watch.event skip: github fires on webhooks, not on time: external.event checks its delivery",
  "watch.cancel-loses-nothing skip: github fires on webhooks, not on time: external.event checks its delivery",
  "unsubscribe.stops-events skip: github fires on webhooks, not on time: external.event checks its delivery",
];

describe("github trigger conformance", () => {
  test("as a command, in the extended profile", async () => {
    const report = await runConformance({
      trigger: "github",
      profile: "extended",
      target: { kind: "command", command: executable },
    });
    expect(report.passed, formatReport(report)).toBe(true);
    const ids = report.cases.map((c) => c.id);
    expect(ids).toContain("external.event");
    expect(ids).toContain("external.bad-signature");
    expect(notPassed(report), formatReport(report)).toEqual([
      TIME_CASES_SKIPPED[0],
      "ext.cron.seven-field skip: applies to --trigger cron, not github",
      "ext.cron.timezone skip: applies to --trigger cron, not github",
      "ext.exact-firing skip: github fires on webhooks, not on a schedule",
      ...TIME_CASES_SKIPPED.slice(1),
    ]);
  }, 120_000);

  test.skipIf(!docker.available)(
    "as the image gofer-trigger-github:latest, in the core profile",
    async () => {
      const report = await runConformance({
        trigger: "github",
        target: { kind: "image", image: "gofer-trigger-github:latest" },
      });
      expect(report.profile).toBe("core");
      expect(notPassed(report), formatReport(report)).toEqual(TIME_CASES_SKIPPED);
    },
    180_000,
  );
});
