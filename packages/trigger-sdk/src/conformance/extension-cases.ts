// The extended profile (`--profile extended`): what goes beyond the v0.4 contract. Each case first looks for a sign
// that the trigger offers the feature (it accepts the setting, refuses a bad value of it, or carries the metadata);
// without one the case warns "not offered" and the run still passes. A trigger that offers a feature and gets it
// wrong fails the case.
//   ext.cron.seven-field  EXPRESSION with 7 fields (seconds first, a year last) fires every second
//   ext.cron.timezone     TIMEZONE (IANA) is validated and decides the hour an expression names
//   ext.prefixed-keys     settings under GOFER_PLUGIN_PARAM_<KEY>, as the v0.4 pipeline SDKs write them (spec §2.5)
//   ext.exact-firing      events at the scheduled second (cron's GOFER_TRIGGER_CRON_SCHEDULED_TIME), or at
//                         start + n × period (interval)
import { CaseFailure, pass, warn } from "./case-recorder.js";
import {
  type ConformanceContext,
  count,
  LABEL,
  PREFIXED_LABEL,
  SEVEN_FIELD_LABEL,
  seconds,
  TIMEZONE_LABEL,
} from "./conformance-context.js";
import type { ReceivedEvent } from "./event-collector.js";
import type { ServerSession } from "./server-session.js";
import { expectEvent, isLabel, showSettings, subscribe, unsubscribeQuietly } from "./subscription-cases.js";
import { RpcError } from "./trigger-client.js";
import type { FiringSettings } from "./trigger-profile.js";

export const SCHEDULED_TIME_KEY = "GOFER_TRIGGER_CRON_SCHEDULED_TIME";
// UTC+14 all year: its hour never equals the UTC hour or the next one, so a trigger that ignores TIMEZONE stays quiet.
const FAR_ZONE = "Pacific/Kiritimati";
const BOGUS_ZONE = "Mars/Olympus_Mons";
// How early (clock resolution) and how late (a busy machine, the Watch round trip) an exact event may arrive.
const EARLY_MS = 50;
const LATE_MS = 900;

export interface ExtensionOutcome {
  /** Settings that fire every second on SEVEN_FIELD_LABEL, when the trigger offers 7-field expressions. */
  readonly sevenField: FiringSettings | undefined;
}

export async function runExtensionCases(
  ctx: ConformanceContext,
  server: ServerSession | undefined,
): Promise<ExtensionOutcome> {
  const { extensions } = ctx.profile;
  const notReady = server ? undefined : "the server did not become ready (see server.ready)";
  const live = server as ServerSession;
  let sevenField: FiringSettings | undefined;

  const sevenFieldSettings = extensions.sevenField;
  await ctx.cases.runExtended(
    "ext.cron.seven-field",
    `Subscribe with ${sevenFieldSettings ? showSettings(sevenFieldSettings.config) : "a 7-field expression"} fires every second`,
    async () => {
      const settings = sevenFieldSettings as FiringSettings;
      try {
        await subscribe(ctx, live, SEVEN_FIELD_LABEL, settings.config);
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        return warn(`not offered: refused with ${error.message} (v0.4 cron expressions have 6 fields)`);
      }
      const first = await expectEvent(ctx, live, SEVEN_FIELD_LABEL, settings.firstEventTimeoutMs);
      const second = await live.events.waitFor(isLabel(SEVEN_FIELD_LABEL), first.atMs + 2 * (settings.periodMs ?? 0));
      if (!second) throw new CaseFailure(`one event, then none within ${seconds(2 * (settings.periodMs ?? 0))}`);
      sevenField = settings;
      return pass(`two events ${seconds(second.atMs - first.atMs)} apart`);
    },
    notReady ?? (sevenFieldSettings ? undefined : `applies to --trigger cron, not ${ctx.options.trigger}`),
  );

  await ctx.cases.runExtended(
    "ext.cron.timezone",
    `TIMEZONE=${BOGUS_ZONE} is refused, and TIMEZONE=${FAR_ZONE} decides the hour the expression names`,
    () => checkTimezone(ctx, live),
    notReady ??
      (!extensions.timezone
        ? `applies to --trigger cron, not ${ctx.options.trigger}`
        : sevenField
          ? undefined
          : "checked with a 7-field expression, which the trigger does not offer (see ext.cron.seven-field)"),
  );

  const prefixed = extensions.prefixed?.(sevenField ?? (extensions.sevenField ? undefined : ctx.profile.settings));
  await ctx.cases.runExtended(
    "ext.prefixed-keys",
    `Subscribe with ${prefixed ? showSettings(prefixed.config) : "GOFER_PLUGIN_PARAM_ keys"} works like the bare keys`,
    async () => {
      const settings = prefixed as FiringSettings;
      try {
        await subscribe(ctx, live, PREFIXED_LABEL, settings.config);
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        // The v0.4 pipeline SDKs prefix settings this way but the Go triggers read bare keys (spec §2.5, §7 #11);
        // our server sends both spellings, so such a trigger still works behind it.
        return warn(`not offered: refused with ${error.message}; only bare keys work, so Gofer must strip the prefix`);
      }
      if (settings.periodMs === undefined) {
        return pass(
          ctx.profile.webhook
            ? "accepted (its events come from webhooks)"
            : "accepted (its events are not awaited: they take minutes)",
        );
      }
      const found = await expectEvent(ctx, live, PREFIXED_LABEL, settings.firstEventTimeoutMs);
      const sentMs = live.subscribedAtMs.get(PREFIXED_LABEL)?.sentMs ?? found.atMs;
      return pass(`accepted; an event ${seconds(found.atMs - sentMs)} after subscribing`);
    },
    notReady ?? (prefixed ? undefined : "no settings are known for a generic trigger (use --setting)"),
  );

  await ctx.cases.runExtended(
    "ext.exact-firing",
    extensions.exactFiring === "scheduled-time"
      ? `events arrive at the second their ${SCHEDULED_TIME_KEY} names, each second once`
      : `events of ${LABEL} arrive at start + n × period, none missed or doubled`,
    () =>
      extensions.exactFiring === "scheduled-time"
        ? checkScheduledTimes(live)
        : checkPhase(live, ctx.profile.settings as FiringSettings),
    notReady ??
      (extensions.exactFiring === undefined
        ? ctx.options.trigger === "github"
          ? "github fires on webhooks, not on a schedule"
          : "no period is known for a generic trigger (use --period)"
        : extensions.exactFiring === "scheduled-time" && !sevenField
          ? "checked with a 7-field expression, which the trigger does not offer (see ext.cron.seven-field)"
          : extensions.exactFiring === "phase" && !live.subscribed.has(LABEL)
            ? "subscribe.valid did not succeed"
            : undefined),
  );

  return { sevenField };
}

/** The hour (0–23) the clock shows in a zone. */
function hourIn(zone: string, at: Date): number {
  const text = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", hourCycle: "h23" }).format(at);
  return Number(text);
}

async function checkTimezone(ctx: ConformanceContext, server: ServerSession) {
  const bogusLabel = "bad-timezone";
  try {
    await subscribe(ctx, server, bogusLabel, { EXPRESSION: "* * * * * * *", TIMEZONE: BOGUS_ZONE });
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    return checkZoneApplies(ctx, server, error.message);
  }
  await unsubscribeQuietly(ctx, server, bogusLabel);
  return warn(`not offered: TIMEZONE=${BOGUS_ZONE} was accepted, so TIMEZONE is ignored`);
}

async function checkZoneApplies(ctx: ConformanceContext, server: ServerSession, bogusRefusal: string) {
  // This hour and the next in the far zone (so an hour turning over meanwhile still matches); never the UTC hour.
  const hour = hourIn(FAR_ZONE, ctx.clock.now());
  const config = { EXPRESSION: `* * ${hour},${(hour + 1) % 24} * * * *`, TIMEZONE: FAR_ZONE };
  try {
    await subscribe(ctx, server, TIMEZONE_LABEL, config);
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    throw new CaseFailure(`Subscribe with ${showSettings(config)} was refused with ${error.message}`);
  }
  try {
    const found = await expectEvent(ctx, server, TIMEZONE_LABEL, 5_000).catch((error: unknown) => {
      if (!(error instanceof CaseFailure)) throw error;
      throw new CaseFailure(
        `${error.message}: with ${showSettings(config)} it should fire every second now ` +
          `(it is ${hour}h in ${FAR_ZONE}, ${hourIn("UTC", ctx.clock.now())}h in UTC)`,
      );
    });
    return pass(
      `${BOGUS_ZONE} refused with ${bogusRefusal}; ${showSettings(config)} fired: ${found.event.details.slice(0, 120)}`,
    );
  } finally {
    await unsubscribeQuietly(ctx, server, TIMEZONE_LABEL);
  }
}

async function checkScheduledTimes(server: ServerSession) {
  const events = server.events.received.filter((r) => isLabel(SEVEN_FIELD_LABEL)(r.event));
  const stamped = events.filter((r) => r.event.metadata[SCHEDULED_TIME_KEY] !== undefined);
  if (stamped.length === 0) {
    return warn(`not offered: ${count(events.length, "event")} of ${SEVEN_FIELD_LABEL} carry no ${SCHEDULED_TIME_KEY}`);
  }
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const received of stamped) {
    const text = received.event.metadata[SCHEDULED_TIME_KEY] ?? "";
    const scheduledMs = Date.parse(text);
    if (Number.isNaN(scheduledMs) || scheduledMs % 1000 !== 0) {
      problems.push(`${SCHEDULED_TIME_KEY}=${text} is not a whole second in RFC 3339`);
      continue;
    }
    if (seen.has(scheduledMs)) problems.push(`${text} fired twice`);
    seen.add(scheduledMs);
    const lateMs = received.atMs - scheduledMs;
    if (lateMs < -EARLY_MS || lateMs > LATE_MS) {
      problems.push(`the event for ${text} arrived ${lateMs} ms ${lateMs < 0 ? "early" : "late"}`);
    }
  }
  if (problems.length > 0) throw new CaseFailure(problems.join("; "));
  const worstMs = Math.max(...stamped.map((r) => r.atMs - Date.parse(r.event.metadata[SCHEDULED_TIME_KEY] ?? "")));
  return pass(`${count(stamped.length, "event")}, each at its scheduled second (at most ${worstMs} ms after it)`);
}

/** Interval: events k = 1, 2, … of LABEL at subscribe + k × period. No sign of a claim, so a miss only warns. */
async function checkPhase(server: ServerSession, settings: FiringSettings) {
  const periodMs = settings.periodMs as number;
  const at = server.subscribedAtMs.get(LABEL);
  if (!at) throw new Error("LABEL was not subscribed");
  // One more event, watched for as it falls due; with the earlier ones (watch.event's, and those that arrived while
  // other cases watched) that makes at least three.
  const ours = isLabel(LABEL);
  const last = server.events.received.filter((r) => ours(r.event)).at(-1);
  await server.events.waitFor(ours, (last?.atMs ?? server.events.nowMs()) + periodMs + LATE_MS);
  const events: ReceivedEvent[] = server.events.received.filter((r) => ours(r.event));
  const offsets = events.map((r) => {
    const k = Math.round((r.atMs - at.sentMs) / periodMs);
    return { k, lateMs: r.atMs - (at.sentMs + k * periodMs) };
  });
  const ks = offsets.map((o) => o.k);
  const expected = ks.map((_, i) => i + 1);
  const slackMs = at.doneMs - at.sentMs + LATE_MS;
  const shown = offsets.map((o) => `#${o.k} ${o.lateMs >= 0 ? "+" : ""}${o.lateMs} ms`).join(", ");
  if (ks.join() !== expected.join() || offsets.some((o) => o.lateMs < -EARLY_MS || o.lateMs > slackMs)) {
    return warn(`not offered: events do not fall at start + n × ${seconds(periodMs)} (${shown})`);
  }
  return pass(`${count(events.length, "event")} at start + n × ${seconds(periodMs)}: ${shown}`);
}
