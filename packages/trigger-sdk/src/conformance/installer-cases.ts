// Cases 1 and 2: `installer` prints the instructions JSON and exits 0 with no environment (spec §3.1, §3.4); no
// argument or an unknown one is a usage error (non-zero exit).
import { CaseFailure, pass, warn } from "./case-recorder.js";
import { type ConformanceContext, seconds } from "./conformance-context.js";
import { type Instruction, parseInstallerOutput } from "./installer-output.js";
import { describeExit, type ExitStatus, planTriggerProcess, TriggerProcess } from "./trigger-process.js";

interface OneShotRun {
  readonly commandLine: string;
  /** undefined: still running at the timeout (and then stopped). */
  readonly exit: ExitStatus | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

// The docker CLI's own failures (daemon error, image missing, entrypoint not runnable), not the trigger's.
const DOCKER_RUN_FAILURES = new Set([125, 126, 127]);

async function runOneShot(ctx: ConformanceContext, arg: string | undefined): Promise<OneShotRun> {
  const plan = planTriggerProcess(ctx.options.target, { mode: "one-shot", arg });
  const process = TriggerProcess.start(plan, ctx.clock);
  const startedMs = ctx.clock.now().getTime();
  try {
    const exit = await process.waitForExit(ctx.options.oneShotTimeoutMs, ctx.signal);
    const durationMs = ctx.clock.now().getTime() - startedMs;
    return { commandLine: plan.commandLine, exit, stdout: process.stdout, stderr: process.stderr, durationMs };
  } finally {
    await process.stop();
  }
}

function describeRun(run: OneShotRun, ctx: ConformanceContext): string {
  if (!run.exit) return `was still running after ${seconds(ctx.options.oneShotTimeoutMs)} (stopped it)`;
  return describeExit(run.exit);
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "");
  return line === undefined ? "" : `; it printed: ${line.trim().slice(0, 200)}`;
}

/** The one-shot runs, started together; their cases are recorded in order as each is awaited. */
export interface OneShotRuns {
  readonly installer: Promise<OneShotRun>;
  readonly noArgument: Promise<OneShotRun>;
  readonly unknownArgument: Promise<OneShotRun>;
}

/**
 * Starts the installer and both usage probes at once. For an image the probes wait for the installer, whose run
 * pulls the image. A rejection (the run aborted) surfaces where a case awaits the run.
 */
export function startOneShots(ctx: ConformanceContext): OneShotRuns {
  const installer = runOneShot(ctx, "installer");
  const afterInstaller: Promise<unknown> =
    ctx.options.target.kind === "image" ? installer.catch(() => undefined) : Promise.resolve();
  const noArgument = afterInstaller.then(() => runOneShot(ctx, undefined));
  const unknownArgument = afterInstaller.then(() => runOneShot(ctx, "bogus-mode"));
  for (const run of [installer, noArgument, unknownArgument]) run.catch(() => undefined);
  return { installer, noArgument, unknownArgument };
}

export async function runInstallerCases(ctx: ConformanceContext, runs: OneShotRuns): Promise<void> {
  // Filled in by the cases as they run; later cases are skipped when an earlier one left nothing to check.
  const seen: { run?: OneShotRun; instructions?: Instruction[] } = {};
  await ctx.cases.run("installer.exit", "`installer` with no environment exits 0", async () => {
    const run = await runs.installer;
    seen.run = run;
    if (run.exit?.code !== 0) {
      throw new CaseFailure(`${run.commandLine} ${describeRun(run, ctx)}${firstLine(run.stderr)}`);
    }
    return pass(`exited 0 after ${seconds(run.durationMs)}`);
  });

  await ctx.cases.run(
    "installer.json",
    "the last non-empty line of stdout is the instructions JSON",
    async () => {
      const run = seen.run;
      const instructions = parseInstallerOutput(run?.stdout ?? "");
      seen.instructions = instructions;
      const summary = `${instructions.length} instructions: ${instructions.map((i) => i.kind).join(", ")}`;
      if (run?.stderr.trim()) {
        // Gofer takes the last line of stdout and stderr merged (spec §7 #28): stderr written after the JSON breaks it.
        return warn(`${summary}; but it also wrote to stderr, which Gofer merges with stdout${firstLine(run.stderr)}`);
      }
      return pass(summary);
    },
    !seen.run?.exit
      ? "the installer did not exit"
      : seen.run.exit.error
        ? "the installer could not be started"
        : undefined,
  );

  const expected = ctx.profile.installerQueries;
  await ctx.cases.run(
    "installer.queries",
    expected?.exclusive && expected.required.length === 0
      ? "the installer asks no query"
      : `the installer asks for config_key ${list(expected?.required ?? [])}`,
    async () => {
      const keys = (seen.instructions ?? []).flatMap((i) => (i.kind === "query" ? [i.configKey] : []));
      const required = expected?.required ?? [];
      const missing = required.filter((key) => !keys.includes(key));
      const extra = keys.filter((key) => !required.includes(key));
      if (missing.length > 0 || (expected?.exclusive && extra.length > 0)) {
        const wanted = expected?.exclusive ? `only ${list(required)}` : `at least ${list(required)}`;
        throw new CaseFailure(`expected queries for config_key ${wanted}, got ${list(keys)}`);
      }
      return pass(`queries for config_key ${list(keys)}`);
    },
    expected === undefined
      ? "no trigger-specific queries are known for a generic trigger"
      : seen.instructions === undefined
        ? "there is no valid instructions JSON (see installer.json)"
        : undefined,
  );
}

function list(keys: readonly string[]): string {
  return keys.length === 0 ? "(none)" : keys.map((k) => `"${k}"`).join(", ");
}

export async function runUsageCases(ctx: ConformanceContext, runs: OneShotRuns): Promise<void> {
  const probes = [
    { id: "usage.no-argument", title: "no argument is a usage error (non-zero exit)", run: runs.noArgument },
    {
      id: "usage.unknown-argument",
      title: "an unknown argument is a usage error (non-zero exit)",
      run: runs.unknownArgument,
    },
  ];
  for (const probe of probes) {
    await ctx.cases.run(probe.id, probe.title, async () => {
      const run = await probe.run;
      const code = run.exit?.code;
      if (ctx.options.target.kind === "image" && code !== undefined && code !== null && DOCKER_RUN_FAILURES.has(code)) {
        throw new CaseFailure(`docker could not run the container (exit ${code})${firstLine(run.stderr)}`);
      }
      if (!run.exit || run.exit.error || code === 0) {
        throw new CaseFailure(`${run.commandLine} ${describeRun(run, ctx)}; expected a non-zero exit`);
      }
      return pass(`${describeExit(run.exit)}${firstLine(run.stderr || run.stdout)}`);
    });
  }
}
