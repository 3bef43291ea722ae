// The conformance suite run against a stand-in foreign trigger (fixtures/legacy-interval-trigger.ts, no SDK code):
// it must pass the faithful one and fail exactly the cases each deliberate break violates.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { type ConformanceReport, runConformance, type TriggerTarget } from "../src/conformance/index.js";

const fixture = fileURLToPath(new URL("./fixtures/legacy-interval-trigger.ts", import.meta.url));
const legacyTrigger: TriggerTarget = {
  kind: "command",
  command: process.execPath,
  args: ["--import", "tsx", fixture],
  cwd: fileURLToPath(new URL("..", import.meta.url)),
};

function statuses(report: ConformanceReport): Record<string, string> {
  return Object.fromEntries(report.cases.map((c) => [c.id, c.status]));
}

function messageOf(report: ConformanceReport, id: string): string {
  return report.cases.find((c) => c.id === id)?.message ?? "";
}

describe("conformance suite against a legacy-contract trigger", () => {
  test("a trigger that follows only the v0.4 contract passes, with warnings for the Go quirks it copies", async () => {
    const report = await runConformance({ trigger: "interval", target: legacyTrigger });

    expect(statuses(report)).toEqual({
      "installer.exit": "pass",
      "installer.json": "pass",
      "installer.queries": "pass",
      "usage.no-argument": "pass",
      "usage.unknown-argument": "pass",
      "server.ready": "pass",
      "auth.valid-bearer": "pass",
      "auth.scheme-case-insensitive": "pass",
      "auth.missing": "pass",
      "auth.wrong-key": "pass",
      "auth.wrong-scheme": "pass",
      "subscribe.valid": "pass",
      // Like the Go interval: bare keys only, and an error for an unknown Unsubscribe.
      "subscribe.prefixed-key": "warn",
      "subscribe.rejects-missing-every": "pass",
      "subscribe.rejects-every-banana": "pass",
      "subscribe.rejects-every-below-min": "pass",
      "info.registered": "pass",
      "watch.event": "pass",
      "watch.prefixed-key-event": "skip",
      "watch.cancel-loses-nothing": "pass",
      "unsubscribe.stops-events": "pass",
      "unsubscribe.unknown": "warn",
      "shutdown.exits": "pass",
    });
    expect(report.passed).toBe(true);
    expect(messageOf(report, "auth.wrong-key")).toBe('UNAUTHENTICATED "invalid auth token"');
  }, 60_000);

  test("a trigger that accepts any key, loses events to a cancelled Watch, keeps firing after Unsubscribe and ignores Shutdown fails exactly those cases", async () => {
    const report = await runConformance({
      trigger: "interval",
      target: legacyTrigger,
      env: { FAKE_BREAK: "auth,cancel,unsubscribe,shutdown" },
      shutdownTimeoutMs: 2_000,
    });

    const failed = report.cases.filter((c) => c.status === "fail").map((c) => c.id);
    expect(failed).toEqual([
      "auth.wrong-key",
      "watch.cancel-loses-nothing",
      "unsubscribe.stops-events",
      "shutdown.exits",
    ]);
    expect(report.passed).toBe(false);
    expect(messageOf(report, "auth.wrong-key")).toBe("Info succeeded; expected UNAUTHENTICATED");
    expect(messageOf(report, "watch.cancel-loses-nothing")).toMatch(
      /^2 events of l1 fell due while no Watch was outstanding \(after 2 cancelled Watches\), but the next Watches delivered only 1: an event was lost\n/,
    );
    expect(messageOf(report, "unsubscribe.stops-events")).toMatch(
      /^\d+ events? for unsubscribed labels arrived after draining \(l1 at \+\d\.\d\d s/,
    );
    expect(messageOf(report, "shutdown.exits")).toMatch(/^still running 2\.00 s after Shutdown \(stopped it\)/);
  }, 60_000);

  // A generic run (no settings) keeps this short: it skips the event cases.
  test("an image runs through the docker CLI: installer without network, server with env by name, then removed", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "fake-docker-"));
    try {
      const docker = join(stateDir, "docker");
      const fakeDocker = fileURLToPath(new URL("./fixtures/fake-docker.mjs", import.meta.url));
      writeFileSync(docker, `#!/bin/sh\nexec "${process.execPath}" "${fakeDocker}" "${stateDir}" "$@"\n`);
      chmodSync(docker, 0o755);

      const report = await runConformance({
        trigger: "generic",
        target: { kind: "image", image: fixture, dockerCommand: docker },
      });

      expect(report.cases.filter((c) => c.status === "fail")).toEqual([]);
      expect(report.cases.filter((c) => c.status === "skip").map((c) => c.id)).toEqual([
        "installer.queries",
        "subscribe.valid",
        "subscribe.prefixed-key",
        "info.registered",
        "watch.event",
        "watch.prefixed-key-event",
        "watch.cancel-loses-nothing",
        "unsubscribe.stops-events",
      ]);
      const calls = readFileSync(join(stateDir, "calls.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as string[]);
      const runs = calls.filter((call) => call[0] === "run");
      expect(runs.map((call) => call.slice(4))).toEqual([
        ["--network", "none", "--entrypoint", "./trigger", fixture, "installer"],
        ["--network", "none", "--entrypoint", "./trigger", fixture],
        ["--network", "none", "--entrypoint", "./trigger", fixture, "bogus-mode"],
        [
          "--network",
          "host",
          ...[
            "GOFER_PLUGIN_SYSTEM_TLS_CERT",
            "GOFER_PLUGIN_SYSTEM_TLS_KEY",
            "GOFER_PLUGIN_SYSTEM_NAME",
            "GOFER_PLUGIN_SYSTEM_LOG_LEVEL",
            "GOFER_PLUGIN_SYSTEM_KEY",
            "GOFER_PLUGIN_SYSTEM_HOST",
          ].flatMap((name) => ["-e", name]),
          fixture,
        ],
      ]);
      // Every container, by the name it was given, is force-removed when its run ends.
      const names = runs.map((call) => call[3]);
      expect(calls.filter((call) => call[0] === "rm").map((call) => call.at(-1))).toEqual(names);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});
