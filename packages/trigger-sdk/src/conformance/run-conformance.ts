// Runs every case against one trigger, in the order Gofer would exercise it: installer and usage (one-shot runs),
// then one server process for readiness, auth, subscriptions, delivery and finally Shutdown.
import { runAuthCases } from "./auth-cases.js";
import { CaseRecorder } from "./case-recorder.js";
import type { ConformanceContext } from "./conformance-context.js";
import { runDeliveryCases } from "./delivery-cases.js";
import { runInstallerCases, runUsageCases } from "./installer-cases.js";
import { type CompiledOptions, type ConformanceOptions, compileOptions } from "./options.js";
import { type ConformanceReport, countStatuses } from "./report.js";
import { checkReadiness, launchServer, type ServerSession } from "./server-session.js";
import { runShutdownCase } from "./shutdown-case.js";
import { runSubscriptionCases } from "./subscription-cases.js";
import { triggerProfile } from "./trigger-profile.js";

/**
 * Checks a trigger against the v0.4 trigger contract. Resolves with the report (check `passed`); rejects only for
 * invalid options (OptionsError) or when `signal` aborts. Every process it starts is stopped before it settles.
 *
 * For example, a TypeScript trigger run from source:
 *   const report = await runConformance({
 *     trigger: "interval",
 *     target: { kind: "command", command: process.execPath, args: ["--import", "tsx", "src/main.ts"] },
 *   });
 *   expect(report.cases.filter((c) => c.status === "fail")).toEqual([]);
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const compiled = compileOptions(options);
  const { clock, signal } = compiled;
  const ctx: ConformanceContext = {
    options: compiled,
    profile: triggerProfile(compiled),
    clock,
    signal,
    cases: new CaseRecorder(clock, signal, compiled.onCaseResult),
  };
  const startedAt = clock.now();

  // The installer runs first: for an image, that run also pulls it, so the server's readiness wait is not spent pulling.
  await runInstallerCases(ctx);
  await runUsageCases(ctx);

  const server = await launchServer(ctx);
  try {
    const live: ServerSession | undefined = (await checkReadiness(ctx, server)) ? server : undefined;
    await runAuthCases(ctx, live);
    await runSubscriptionCases(ctx, live);
    await runDeliveryCases(ctx, live);
    await runShutdownCase(ctx, live);
  } finally {
    server.client.close();
    await server.process.stop();
  }

  const cases = ctx.cases.results;
  const counts = countStatuses(cases);
  return {
    trigger: compiled.trigger,
    target: describeTarget(compiled),
    passed: counts.fail === 0,
    counts,
    cases,
    startedAt: startedAt.toISOString(),
    durationMs: clock.now().getTime() - startedAt.getTime(),
    serverOutput: { stdout: tail(server.process.stdout), stderr: tail(server.process.stderr) },
  };
}

// Enough for the last few hundred log lines; a debug-logging trigger can print far more.
const REPORTED_OUTPUT_CHARS = 64 * 1024;

function tail(text: string): string {
  return text.length > REPORTED_OUTPUT_CHARS ? text.slice(-REPORTED_OUTPUT_CHARS) : text;
}

function describeTarget(options: CompiledOptions): string {
  const target = options.target;
  if (target.kind === "image") return `image ${target.image}`;
  return `command ${[target.command, ...(target.args ?? [])].join(" ")}`;
}
