// Cases 6 and 7: events survive a cancelled Watch, and Unsubscribe stops them.
//
// Gofer keeps one Watch outstanding and cancels it on shutdown or when it gives up; between two Watches (and while a
// Watch is being cancelled) a trigger must queue what fires and hand it to the next Watch. The classic bug is a
// cancelled Watch whose waiter stays registered: the next event is given to the dead call and lost.
import { CaseFailure, pass, warn } from "./case-recorder.js";
import {
  CALL_TIMEOUT_MS,
  type ConformanceContext,
  count,
  NAMESPACE,
  PIPELINE,
  seconds,
} from "./conformance-context.js";
import type { EventCollector } from "./event-collector.js";
import type { ServerSession } from "./server-session.js";
import { isLabel } from "./subscription-cases.js";
import { RpcError } from "./trigger-client.js";
import type { FiringSettings } from "./trigger-profile.js";
import { sleepUntil } from "./wait-at-most.js";

/** Watches cancelled client-side at these fractions of a period after the anchor event. */
const CANCEL_AT_PERIODS = [0.25, 0.5];
// A Watch that stays empty this long (at most) means nothing is queued.
const QUIET_MS = 300;
// A trigger that keeps firing after Unsubscribe fires at least once in this many periods.
const UNSUBSCRIBED_WINDOW_PERIODS = 1.5;

/**
 * The subscription whose events the timing cases use: the core one (l1), or for cron without --slow the extended
 * profile's 7-field one (l3), since events of the v0.4 grammar come a minute apart. The cases stay core cases: the
 * contract they check (a cancelled Watch loses nothing, Unsubscribe stops events) is v0.4's.
 */
export interface DeliverySource {
  readonly label: string;
  readonly settings: FiringSettings | undefined;
}

export async function runDeliveryCases(
  ctx: ConformanceContext,
  server: ServerSession | undefined,
  source: DeliverySource | string,
): Promise<void> {
  const label = typeof source === "string" ? "" : source.label;
  const periodMs = typeof source === "string" ? undefined : source.settings?.periodMs;
  const idlePeriods = typeof source === "string" ? 0 : (source.settings?.idlePeriods ?? 0);
  const firedBefore = server?.events.received.some((r) => isLabel(label)(r.event)) ?? false;
  const timingSkip = !server
    ? "the server did not become ready (see server.ready)"
    : typeof source === "string"
      ? source
      : !server.subscribed.has(label)
        ? `${label} was not subscribed (see ${label === "l1" ? "subscribe.valid" : "ext.cron.seven-field"})`
        : periodMs === undefined
          ? "no expected period between events is known (use --period with --trigger generic)"
          : !firedBefore
            ? `no event for ${label} arrived before (see watch.event)`
            : undefined;
  const on = typeof source === "string" || source.label === "l1" ? "" : ` (on ${label}: 7-field, every second)`;

  await ctx.cases.run(
    "watch.cancel-loses-nothing",
    `an event that falls due after a cancelled Watch reaches the next Watch, once${on}`,
    async () => checkCancelledWatch(ctx, server?.events, label, periodMs ?? 0, idlePeriods),
    timingSkip,
  );

  await ctx.cases.run(
    "unsubscribe.stops-events",
    `after Unsubscribe (and draining), no event for an unsubscribed label within ${UNSUBSCRIBED_WINDOW_PERIODS} periods${on}`,
    async () => checkUnsubscribeStops(ctx, server, periodMs ?? 0),
    timingSkip,
  );

  await ctx.cases.run(
    "unsubscribe.unknown",
    "Unsubscribe of a subscription that does not exist",
    async () => {
      try {
        await server?.client.unsubscribe(
          { namespaceId: NAMESPACE, pipelineId: PIPELINE, pipelineTriggerLabel: "never-subscribed" },
          { timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal },
        );
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        // Gofer only logs Unsubscribe errors; the Go interval trigger returns one here (spec §7 #6).
        return warn(`refused with ${error.message}; our triggers succeed, like the Go cron`);
      }
      return pass("succeeded");
    },
    server ? undefined : "the server did not become ready (see server.ready)",
  );
}

async function checkCancelledWatch(
  ctx: ConformanceContext,
  events: EventCollector | undefined,
  label: string,
  periodMs: number,
  idlePeriods: number,
) {
  if (!events) throw new Error("no server session");
  const isOurs = isLabel(label);

  // Start from an empty queue and a fresh event, so that the next ones fall due one, two, ... periods later.
  await events.drain(QUIET_MS, 2 * periodMs);
  const anchor = await events.waitFor(isOurs, events.nowMs() + 2 * periodMs + CALL_TIMEOUT_MS);
  if (!anchor) throw new CaseFailure(`no event for ${label} within ${seconds(2 * periodMs + CALL_TIMEOUT_MS)}`);
  // Marks in the timeline reported on failure: [ms since the anchor, what happened].
  const marks: Array<[number, string]> = [];

  // Cancel Watches before the next event falls due.
  let cancelled = 0;
  for (const fraction of CANCEL_AT_PERIODS) {
    cancelled += await watchThenCancel(ctx, events, anchor.atMs + fraction * periodMs);
    marks.push([events.nowMs() - anchor.atMs, "Watch cancelled"]);
  }

  // Leave no Watch outstanding while the next events fall due; then the first Watches must get them at once.
  await sleepUntil(anchor.atMs + idlePeriods * periodMs, ctx.clock, ctx.signal);
  marks.push([events.nowMs() - anchor.atMs, "Watch resumed"]);
  const queued = await events.drain(Math.min(QUIET_MS, periodMs / 5), periodMs);
  const queuedOurs = queued.filter((r) => isOurs(r.event)).length;
  const dueWhileIdle = Math.floor(idlePeriods);

  await events.collectUntil(anchor.atMs + (idlePeriods + 1) * periodMs);
  const elapsedMs = events.nowMs() - anchor.atMs;
  const since = events.received.filter((r) => r.atMs > anchor.atMs);
  const after = since.filter((r) => isOurs(r.event));
  const atMost = Math.floor(elapsedMs / periodMs) + 1;
  for (const r of since) {
    const eventLabel = r.event.pipelineTriggerLabel;
    marks.push([r.atMs - anchor.atMs, `event ${eventLabel}${queued.includes(r) ? " (was queued)" : ""}`]);
  }
  const story =
    `\ntimeline (since an event of ${label} at +0.00 s):\n` +
    marks
      .sort((a, b) => a[0] - b[0])
      .map(([offsetMs, what]) => `+${seconds(offsetMs)} ${what}`)
      .join("\n");

  const cancelledText = `after ${cancelled} cancelled ${cancelled === 1 ? "Watch" : "Watches"}`;
  if (cancelled === 0) throw new CaseFailure(`no Watch was outstanding when the suite cancelled${story}`);
  if (queuedOurs < dueWhileIdle) {
    throw new CaseFailure(
      `${count(dueWhileIdle, "event")} of ${label} fell due while no Watch was outstanding (${cancelledText}), ` +
        `but the next Watches delivered only ${queuedOurs}: an event was lost${story}`,
    );
  }
  if (after.length > atMost) {
    throw new CaseFailure(
      `${count(after.length, "event")} of ${label} in ${seconds(elapsedMs)} at one per ${seconds(periodMs)}; ` +
        `expected at most ${atMost}: events were duplicated${story}`,
    );
  }
  return pass(
    `${count(queuedOurs, "event")} of ${label} that fell due while no Watch was outstanding (${cancelledText}) ` +
      `reached the next Watches; ${count(after.length, "event")} in ${seconds(elapsedMs)}`,
  );
}

/** Keeps one Watch outstanding until cancelAtMs, then cancels it client-side; returns how many were cancelled. */
async function watchThenCancel(ctx: ConformanceContext, events: EventCollector, cancelAtMs: number): Promise<number> {
  let cancelled = 0;
  while (events.nowMs() < cancelAtMs) {
    const cancel = new AbortController();
    const timer = sleepUntil(cancelAtMs, ctx.clock, AbortSignal.any([ctx.signal, cancel.signal])).then(
      () => cancel.abort(new Error("cancelled by the conformance suite")),
      () => undefined,
    );
    const event = await events.watchOnce(cancelAtMs - events.nowMs() + CALL_TIMEOUT_MS, cancel.signal);
    if (!event && cancel.signal.aborted) cancelled++;
    cancel.abort();
    await timer;
  }
  return cancelled;
}

async function checkUnsubscribeStops(ctx: ConformanceContext, server: ServerSession | undefined, periodMs: number) {
  if (!server) throw new Error("no server session");
  const labels = [...server.subscribed];
  for (const label of labels) {
    try {
      await server.client.unsubscribe(
        { namespaceId: NAMESPACE, pipelineId: PIPELINE, pipelineTriggerLabel: label },
        { timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal },
      );
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      throw new CaseFailure(`Unsubscribe ${NAMESPACE}/${PIPELINE}/${label} failed: ${error.message}`);
    }
    server.subscribed.delete(label);
  }
  const unsubscribedAtMs = server.events.nowMs();
  // What fired before Unsubscribe returned may still be queued.
  const drained = await server.events.drain(Math.min(QUIET_MS, periodMs / 2), 2 * periodMs);
  const windowMs = UNSUBSCRIBED_WINDOW_PERIODS * periodMs;
  const late = (await server.events.collectUntil(server.events.nowMs() + windowMs)).filter((r) =>
    labels.includes(r.event.pipelineTriggerLabel),
  );
  if (late.length > 0) {
    const times = late.map((r) => `${r.event.pipelineTriggerLabel} at +${seconds(r.atMs - unsubscribedAtMs)}`);
    throw new CaseFailure(
      `${count(late.length, "event")} for unsubscribed labels arrived after draining (${times.join(", ")} after Unsubscribe)`,
    );
  }
  return pass(
    `unsubscribed ${labels.join(", ")}; drained ${count(drained.length, "queued event")}; none in the next ${seconds(windowMs)}`,
  );
}
