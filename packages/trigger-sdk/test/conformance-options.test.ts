import { describe, expect, test } from "vitest";
import { compileOptions, parseConformanceArgs } from "../src/conformance/options.js";

describe("conformance CLI arguments", () => {
  test("--command takes the executable and, after --, arguments placed before the mode", () => {
    const cli = parseConformanceArgs(["--trigger", "interval", "--command", "node", "--json", "--", "--import", "tsx"]);
    expect(cli.json).toBe(true);
    expect(cli.conformance).toEqual({
      trigger: "interval",
      target: { kind: "command", command: "node", args: ["--import", "tsx"] },
      slow: false,
    });
  });

  test("--image with --slow, --env and --name", () => {
    const cli = parseConformanceArgs([
      "--trigger=cron",
      "--image=ghcr.io/clintjedwards/gofer/triggers/cron:latest",
      "--slow",
      "--env",
      "TZ=UTC",
      "--name",
      "cron",
    ]);
    expect(cli.conformance).toEqual({
      trigger: "cron",
      target: { kind: "image", image: "ghcr.io/clintjedwards/gofer/triggers/cron:latest" },
      slow: true,
      env: { TZ: "UTC" },
      name: "cron",
    });
  });

  test("--profile extended; without it the run is the core profile", () => {
    const cli = parseConformanceArgs(["--trigger", "cron", "--command", "./trigger", "--profile", "extended"]);
    expect(cli.conformance?.profile).toBe("extended");
    const plain = parseConformanceArgs(["--trigger", "cron", "--command", "./trigger"]).conformance;
    expect(plain?.profile).toBeUndefined();
    expect(compileOptions(plain ?? { trigger: "cron", target: { kind: "command", command: "x" } }).profile).toBe(
      "core",
    );
  });

  test("generic settings and period", () => {
    const cli = parseConformanceArgs([
      "--trigger",
      "generic",
      "--command",
      "./trigger",
      "--setting",
      "EVERY=2s",
      "--setting",
      "X=a=b",
      "--period",
      "1m30s",
    ]);
    expect(cli.conformance).toMatchObject({ settings: { EVERY: "2s", X: "a=b" }, periodMs: 90_000 });
  });

  test.each([
    [[], "--trigger: required (interval, cron, github or generic)"],
    [["--trigger", "gitlab", "--command", "x"], '--trigger "gitlab": must be one of interval, cron, github, generic'],
    [["--trigger", "cron"], "exactly one of --command and --image is required"],
    [["--trigger", "cron", "--command", "x", "--image", "y"], "exactly one of --command and --image is required"],
    [["--trigger", "cron", "--image", "y", "--", "extra"], '--image: takes no extra arguments, got "extra"'],
    [["--trigger", "interval", "--command", "x", "--slow"], 'slow: only applies to --trigger cron, not "interval"'],
    [["--trigger", "generic", "--command", "x", "--setting", "EVERY"], '--setting "EVERY": expected KEY=VALUE'],
    [
      ["--trigger", "generic", "--command", "x", "--setting", "A=1", "--period", "soon"],
      '--period "soon": not a duration like 1s or 1m30s',
    ],
    [["--trigger", "generic", "--command", "x", "--period", "1s"], "period: needs settings to subscribe with"],
    [["--trigger", "cron", "--command", "x", "--bogus"], "Unknown option '--bogus'"],
    [["--trigger", "cron", "--command", "x", "--profile", "full"], '--profile "full": must be one of core, extended'],
  ])("rejects %j", (argv, message) => {
    expect(() => parseConformanceArgs(argv)).toThrow(message);
  });

  test("--help needs nothing else", () => {
    expect(parseConformanceArgs(["--help"])).toEqual({ help: true, json: false, conformance: undefined });
  });
});

describe("compileOptions", () => {
  test("fills in defaults and freezes the result", () => {
    const compiled = compileOptions({ trigger: "cron", target: { kind: "image", image: "cron" } });
    expect(compiled).toMatchObject({ name: "conformance", shutdownTimeoutMs: 15_000, oneShotTimeoutMs: 120_000 });
    expect(Object.isFrozen(compiled)).toBe(true);
  });
});
