// The conformance suite run against stand-ins for the original Go triggers (fixtures/legacy-trigger.ts, no SDK code):
// the core profile must pass them, the extended profile must only report (warn or skip) what they do not offer, and
// the suite must fail exactly the cases each deliberate break violates.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { type ConformanceReport, runConformance, type TriggerTarget } from "../src/conformance/index.js";

const fixture = fileURLToPath(new URL("./fixtures/legacy-interval-trigger.ts", import.meta.url));
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const legacyTrigger: TriggerTarget = {
  kind: "command",
  command: process.execPath,
  args: ["--import", "tsx", fixture],
  cwd: sdkDir,
};
const legacyCron: TriggerTarget = {
  kind: "command",
  command: process.execPath,
  args: ["--import", "tsx", fileURLToPath(new URL("./fixtures/legacy-cron-trigger.ts", import.meta.url))],
  cwd: sdkDir,
};

function statuses(report: ConformanceReport): Record<string, string> {
  return Object.fromEntries(report.cases.map((c) => [c.id, `${c.profile} ${c.status}`]));
}

function messageOf(report: ConformanceReport, id: string): string {
  return report.cases.find((c) => c.id === id)?.message ?? "";
}

describe("conformance suite against legacy-contract triggers", () => {
  test("a trigger like the Go interval passes the core cases (warning for its quirks) and is only reported on by the extended ones", async () => {
    const report = await runConformance({ trigger: "interval", profile: "extended", target: legacyTrigger });

    const { "ext.exact-firing": exactFiring, ...others } = statuses(report);
    expect(others).toEqual({
      "installer.exit": "core pass",
      "installer.json": "core pass",
      "installer.queries": "core pass",
      "usage.no-argument": "core pass",
      "usage.unknown-argument": "core pass",
      "server.ready": "core pass",
      "auth.valid-bearer": "core pass",
      "auth.scheme-case-insensitive": "core pass",
      "auth.missing": "core pass",
      "auth.wrong-key": "core pass",
      "auth.wrong-scheme": "core pass",
      "subscribe.valid": "core pass",
      "subscribe.rejects-missing-every": "core pass",
      "subscribe.rejects-every-banana": "core pass",
      "subscribe.rejects-every-below-min": "core pass",
      // Like the Go interval: Info.registered stays empty, and an unknown Unsubscribe is an error.
      "info.registered": "core warn",
      // Like the Go interval, it answers ExternalEvent with an empty response.
      "external.survives": "core pass",
      "watch.event": "core pass",
      "ext.cron.seven-field": "extended skip",
      "ext.cron.timezone": "extended skip",
      // Bare keys only.
      "ext.prefixed-keys": "extended warn",
      "watch.cancel-loses-nothing": "core pass",
      "unsubscribe.stops-events": "core pass",
      "unsubscribe.unknown": "core warn",
      "shutdown.exits": "core pass",
    });
    // It fires at subscribe + n × EVERY, as the Go interval does; on a busy machine the suite may only warn.
    expect(exactFiring).toMatch(/^extended (pass|warn)$/);
    expect(report.passed).toBe(true);
    expect(messageOf(report, "auth.wrong-key")).toBe('UNAUTHENTICATED "invalid auth token"');
    expect(messageOf(report, "ext.prefixed-keys")).toBe(
      'not offered: refused with INVALID_ARGUMENT "could not find required configuration parameter EVERY"; ' +
        "only bare keys work, so Gofer must strip the prefix",
    );
  }, 60_000);

  test("a trigger that accepts any key, loses events to a cancelled Watch, keeps firing after Unsubscribe and ignores Shutdown fails exactly those cases", async () => {
    const report = await runConformance({
      trigger: "interval",
      target: legacyTrigger,
      env: { FAKE_BREAK: "auth,cancel,unsubscribe,shutdown" },
      shutdownTimeoutMs: 2_000,
    });

    // The default profile is core: no extended case runs.
    expect(report.profile).toBe("core");
    expect(report.cases.filter((c) => c.profile !== "core")).toEqual([]);
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
      /^1 event of l1 fell due while no Watch was outstanding \(after 2 cancelled Watches\), but the next Watches delivered only 0: an event was lost\n/,
    );
    expect(messageOf(report, "unsubscribe.stops-events")).toMatch(
      /^\d+ events? for unsubscribed labels arrived after draining \(l1 at \+\d\.\d\d s/,
    );
    expect(messageOf(report, "shutdown.exits")).toMatch(/^still running 2\.00 s after Shutdown \(stopped it\)/);
  }, 60_000);

  // The next two run at once: neither waits for timed events.
  test.concurrent("a trigger like the Go cron (6-field v0.4 grammar only) passes the core cases; the extended ones report what it lacks", async () => {
    const report = await runConformance({ trigger: "cron", profile: "extended", target: legacyCron });

    expect(report.cases.filter((c) => c.status === "fail")).toEqual([]);
    expect(report.passed).toBe(true);
    const extended = report.cases.filter((c) => c.profile === "extended");
    expect(Object.fromEntries(extended.map((c) => [c.id, `${c.status}: ${c.message}`]))).toEqual({
      "ext.cron.seven-field":
        'warn: not offered: refused with INVALID_ARGUMENT "could not parse expression" (v0.4 cron expressions have 6 fields)',
      "ext.cron.timezone":
        "skip: checked with a 7-field expression, which the trigger does not offer (see ext.cron.seven-field)",
      "ext.prefixed-keys":
        'warn: not offered: refused with INVALID_ARGUMENT "could not find required configuration parameter EXPRESSION"; ' +
        "only bare keys work, so Gofer must strip the prefix",
      "ext.exact-firing":
        "skip: checked with a 7-field expression, which the trigger does not offer (see ext.cron.seven-field)",
    });
    expect(statuses(report)).toMatchObject({
      "subscribe.valid": "core pass",
      "subscribe.rejects-expression-minute-60": "core pass",
      "info.registered": "core pass",
      "watch.event": "core skip",
      "shutdown.exits": "core pass",
    });
    expect(messageOf(report, "watch.event")).toMatch(/^the v0\.4 grammar fires at most once a minute/);
  }, 60_000);

  // A generic run (no settings) keeps this short: it skips the event cases.
  test.concurrent("an image runs through the docker CLI: installer without network, server with env by name, then removed", async () => {
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
        "info.registered",
        "watch.event",
        "watch.cancel-loses-nothing",
        "unsubscribe.stops-events",
      ]);
      const calls = readFileSync(join(stateDir, "calls.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as string[]);
      const runs = calls.filter((call) => call[0] === "run");
      // The one-shot runs (installer, no mode, a bogus mode) start together, so they may reach docker in any order.
      const inAnyOrder = (list: string[][]) => list.map((call) => JSON.stringify(call)).sort();
      expect(inAnyOrder(runs.map((call) => call.slice(4)))).toEqual(
        inAnyOrder([
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
        ]),
      );
      // Every container, by the name it was given, is force-removed when its run ends.
      const names = runs.map((call) => call[3]).sort();
      expect(
        calls
          .filter((call) => call[0] === "rm")
          .map((call) => call.at(-1))
          .sort(),
      ).toEqual(names);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});
