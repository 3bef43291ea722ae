// Runs every case against one trigger, in the order Gofer would exercise it: installer and usage (one-shot runs),
// then one server process for readiness, auth, subscriptions, (extended profile) what goes beyond v0.4, delivery and
// finally Shutdown. The one-shot runs and, for a command, the server process start together; the cases are still
// recorded in this order.
//
// Why the original v0.4.1 interval and cron triggers pass every core case (spec §3, §4):
//   installer.exit, .json    `installer` needs no env and prints the JSON on one line to stdout (§3.1, §3.4)
//   installer.queries        interval asks min_duration; cron asks nothing (§4 "Installer")
//   usage.*                  any other argument count or mode is a fatal usage error, non-zero exit (§3.1)
//   server.ready, auth.*     the SDK serves TLS from the PEM env and checks `Bearer` case-insensitively, answering
//                            UNAUTHENTICATED otherwise; Info.name is always GOFER_PLUGIN_SYSTEM_NAME (§3.2, §3.3)
//   subscribe.valid          EVERY=1s with GOFER_PLUGIN_CONFIG_MIN_DURATION=1s; cron "* * * * * *" is 6 terms of
//                            `*` (§4 grammar)
//   subscribe.rejects-*      missing, unparsable or below-minimum EVERY are errors; minute 60 is out of range (§4)
//   info.registered          cron lists subscriptions; the interval does not, which only warns (§4)
//   watch.event              interval fires one EVERY after Subscribe; cron within two unaligned minute checks,
//                            awaited only with --slow (§4)
//   watch.cancel-loses-nothing  a cancelled Watch returns on ctx.Done and leaves the channel untouched, so the next
//                            Watch gets what fired meanwhile (§3.3 "Watch selects on …")
//   unsubscribe.stops-events Unsubscribe cancels the interval's goroutine / removes the cron entry (§4)
//   unsubscribe.unknown      the interval's error only warns (§7 #6)
//   external.survives        the originals answer ExternalEvent (interval/cron: empty) and keep serving (§2.9)
//   shutdown.exits           Shutdown closes the channel (a parked Watch then returns empty) and stops the server
//                            gracefully; main returns 0 (§3.3)
// What v0.4 lacks (7-field cron, TIMEZONE, exact firing, GOFER_PLUGIN_PARAM_ keys) is only in the extended profile.
import { runAuthCases } from "./auth-cases.js";
import { CaseRecorder } from "./case-recorder.js";
import { type ConformanceContext, LABEL, SEVEN_FIELD_LABEL } from "./conformance-context.js";
import { type DeliverySource, runDeliveryCases } from "./delivery-cases.js";
import { runExtensionCases } from "./extension-cases.js";
import { runExternalEventCases } from "./external-event-cases.js";
import { runInstallerCases, runUsageCases, startOneShots } from "./installer-cases.js";
import { type CompiledOptions, type ConformanceOptions, compileOptions } from "./options.js";
import { type ConformanceReport, countStatuses } from "./report.js";
import { checkReadiness, launchServer, type ServerSession } from "./server-session.js";
import { runShutdownCase } from "./shutdown-case.js";
import { runSubscriptionCases } from "./subscription-cases.js";
import { type FiringSettings, triggerProfile } from "./trigger-profile.js";

/**
 * Checks a trigger against the v0.4 trigger contract (profile "core", the default) or also against what goes beyond
 * it (profile "extended"). Resolves with the report (check `passed`); rejects only for invalid options
 * (OptionsError) or when `signal` aborts. Every process it starts is stopped before it settles.
 *
 * For example, a TypeScript trigger run from source:
 *   const report = await runConformance({
 *     trigger: "interval",
 *     profile: "extended",
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

  // For an image, the installer's run also pulls it, so the server starts after it and its readiness wait is not
  // spent pulling.
  const oneShots = startOneShots(ctx);
  const early = compiled.target.kind === "command" ? launchServer(ctx) : undefined;
  early?.catch(() => undefined);
  let server: ServerSession | undefined;
  try {
    await runInstallerCases(ctx, oneShots);
    await runUsageCases(ctx, oneShots);
    server = await (early ?? launchServer(ctx));
    const live: ServerSession | undefined = (await checkReadiness(ctx, server)) ? server : undefined;
    await runAuthCases(ctx, live);
    await runSubscriptionCases(ctx, live);
    await runExternalEventCases(ctx, live);
    const extended = compiled.profile === "extended" ? await runExtensionCases(ctx, live) : undefined;
    await runDeliveryCases(ctx, live, deliverySource(ctx, extended?.sevenField));
    await runShutdownCase(ctx, live);
  } finally {
    server ??= await early?.catch(() => undefined);
    server?.client.close();
    await server?.process.stop();
  }

  const cases = ctx.cases.results;
  const counts = countStatuses(cases);
  return {
    trigger: compiled.trigger,
    profile: compiled.profile,
    target: describeTarget(compiled),
    passed: counts.fail === 0,
    counts,
    cases,
    startedAt: startedAt.toISOString(),
    durationMs: clock.now().getTime() - startedAt.getTime(),
    serverOutput: server && { stdout: tail(server.process.stdout), stderr: tail(server.process.stderr) },
  };
}

function deliverySource(ctx: ConformanceContext, sevenField: FiringSettings | undefined): DeliverySource | string {
  const { profile } = ctx;
  if (profile.coreEventsSkipReason === undefined) return { label: LABEL, settings: profile.settings };
  if (sevenField) return { label: SEVEN_FIELD_LABEL, settings: sevenField };
  return profile.coreEventsSkipReason;
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
