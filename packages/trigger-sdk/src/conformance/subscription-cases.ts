// Cases 5 and 8 (core): Subscribe with the trigger's v0.4 settings makes Watch deliver events for that subscription;
// bad settings are refused; Info lists the subscribed pipeline. Also the helpers the extended cases subscribe with.
import { type TriggerWatchResponse, TriggerWatchResponse_Result } from "@gofer/proto";
import { CaseFailure, pass, warn } from "./case-recorder.js";
import {
  CALL_TIMEOUT_MS,
  type ConformanceContext,
  count,
  LABEL,
  NAMESPACE,
  PIPELINE,
  seconds,
} from "./conformance-context.js";
import type { ReceivedEvent } from "./event-collector.js";
import type { ServerSession } from "./server-session.js";
import { RpcError } from "./trigger-client.js";

export function showSettings(config: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(config).map(
    ([key, value]) => `${key}=${/^[^\s"]+$/.test(value) ? value : JSON.stringify(value)}`,
  );
  return pairs.length === 0 ? "no settings" : pairs.join(", ");
}

export function subscription(label: string) {
  return { namespaceId: NAMESPACE, pipelineId: PIPELINE, pipelineTriggerLabel: label };
}

export function describeEvent(event: TriggerWatchResponse): string {
  const result = TriggerWatchResponse_Result[event.result] ?? String(event.result);
  return `${event.namespaceId}/${event.pipelineId}/${event.pipelineTriggerLabel} ${result} "${event.details}"`;
}

export const isLabel = (label: string) => (event: TriggerWatchResponse) =>
  event.namespaceId === NAMESPACE && event.pipelineId === PIPELINE && event.pipelineTriggerLabel === label;

/** Why an event is wrong for the subscriptions made, or undefined when it is right. */
function eventProblem(event: TriggerWatchResponse, labels: ReadonlySet<string>): string | undefined {
  const { namespaceId, pipelineId, pipelineTriggerLabel } = event;
  if (namespaceId !== NAMESPACE || pipelineId !== PIPELINE || !labels.has(pipelineTriggerLabel)) {
    return `got an event for ${namespaceId}/${pipelineId}/${pipelineTriggerLabel}, which was never subscribed: ${describeEvent(event)}`;
  }
  if (event.result !== TriggerWatchResponse_Result.SUCCESS) {
    return `got an event with result ${TriggerWatchResponse_Result[event.result] ?? event.result}, expected SUCCESS: ${describeEvent(event)}`;
  }
  return undefined;
}

/** Subscribes NAMESPACE/PIPELINE/label; rejects with RpcError when the trigger refuses. */
export async function subscribe(
  ctx: ConformanceContext,
  server: ServerSession,
  label: string,
  config: Readonly<Record<string, string>>,
): Promise<void> {
  const sentMs = ctx.clock.now().getTime();
  await server.client.subscribe(
    { ...subscription(label), config: { ...config } },
    { timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal },
  );
  server.accepted.add(label);
  server.subscribed.add(label);
  server.subscribedAtMs.set(label, { sentMs, doneMs: ctx.clock.now().getTime() });
}

/** Unsubscribes a label, ignoring a refusal (used to clean up after a case). */
export async function unsubscribeQuietly(ctx: ConformanceContext, server: ServerSession, label: string) {
  await server.client
    .unsubscribe(subscription(label), { timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal })
    .catch(() => undefined);
  server.subscribed.delete(label);
}

/**
 * Watches until an event of `label` arrives (one that arrived since it was subscribed counts), within timeoutMs of
 * subscribing. Fails the case on an event for a label never subscribed or with a result other than SUCCESS.
 */
export async function expectEvent(
  ctx: ConformanceContext,
  server: ServerSession,
  label: string,
  timeoutMs: number,
): Promise<ReceivedEvent> {
  const fromMs = server.subscribedAtMs.get(label)?.sentMs ?? ctx.clock.now().getTime();
  const isWanted = isLabel(label);
  const start = server.events.received.length;
  const found =
    server.events.received.find((r) => r.atMs >= fromMs && isWanted(r.event)) ??
    (await server.events.waitFor(isWanted, fromMs + timeoutMs));
  for (const received of server.events.received.slice(start)) {
    const problem = eventProblem(received.event, server.accepted);
    if (problem) throw new CaseFailure(problem);
  }
  if (!found) {
    throw new CaseFailure(
      `no event for ${label} within ${seconds(timeoutMs)} of subscribing ` +
        `(${count(server.events.received.length - start, "other event")} arrived)`,
    );
  }
  const problem = eventProblem(found.event, server.accepted);
  if (problem) throw new CaseFailure(problem);
  return found;
}

export async function runSubscriptionCases(ctx: ConformanceContext, server: ServerSession | undefined): Promise<void> {
  const { profile } = ctx;
  const notReady = server ? undefined : "the server did not become ready (see server.ready)";
  const call = { timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal };

  const settings = profile.settings;
  await ctx.cases.run(
    "subscribe.valid",
    `Subscribe ${NAMESPACE}/${PIPELINE}/${LABEL} with ${settings ? showSettings(settings.config) : "settings"} succeeds`,
    async () => {
      try {
        await subscribe(ctx, server as ServerSession, LABEL, settings?.config ?? {});
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        const installed = Object.keys(profile.installEnv).length > 0;
        const context = installed ? `; the server ran with ${showSettings(profile.installEnv)}` : "";
        throw new CaseFailure(`refused with ${error.message}${context}`);
      }
      return pass();
    },
    notReady ?? (settings ? undefined : "no settings known that make a generic trigger fire (use --setting)"),
  );

  for (const invalid of profile.invalidSettings) {
    const label = `bad-${invalid.id}`;
    await ctx.cases.run(
      `subscribe.rejects-${invalid.id}`,
      `Subscribe ${invalid.description} is refused`,
      async () => {
        try {
          await subscribe(ctx, server as ServerSession, label, invalid.config);
        } catch (error) {
          if (!(error instanceof RpcError)) throw error;
          return pass(error.message);
        }
        // Do not let a wrongly accepted subscription fire into the later cases.
        await unsubscribeQuietly(ctx, server as ServerSession, label);
        throw new CaseFailure(`Subscribe with ${showSettings(invalid.config)} succeeded; expected an error status`);
      },
      notReady,
    );
  }

  const notSubscribed = notReady ?? (server?.subscribed.has(LABEL) ? undefined : "subscribe.valid did not succeed");
  await ctx.cases.run(
    "info.registered",
    `Info.registered lists "${NAMESPACE}/${PIPELINE}" while subscribed`,
    async () => {
      const info = await server?.client.info(call);
      const registered = info?.registered ?? [];
      const shown = `[${registered.map((r) => `"${r}"`).join(", ")}]`;
      if (!registered.includes(`${NAMESPACE}/${PIPELINE}`)) {
        // The Go interval leaves it empty (spec §4): only the cron fills it in.
        return warn(`registered is ${shown}; our triggers and the Go cron list every subscribed pipeline`);
      }
      return pass(`registered is ${shown}`);
    },
    notSubscribed,
  );

  await ctx.cases.run(
    "watch.event",
    `Watch delivers a SUCCESS event for ${NAMESPACE}/${PIPELINE}/${LABEL}`,
    async () => {
      const found = await expectEvent(ctx, server as ServerSession, LABEL, settings?.firstEventTimeoutMs ?? 0);
      const afterMs = found.atMs - (server?.subscribedAtMs.get(LABEL)?.sentMs ?? found.atMs);
      return pass(`${seconds(afterMs)} after subscribing: ${describeEvent(found.event)}`);
    },
    notSubscribed ?? profile.coreEventsSkipReason,
  );
}
