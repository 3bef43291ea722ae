// Cases 5 and 8: Subscribe with the trigger's settings makes Watch deliver events for that subscription; bad settings
// are refused; Info lists the subscribed pipeline.
import { type TriggerWatchResponse, TriggerWatchResponse_Result } from "@gofer/proto";
import { CaseFailure, pass, warn } from "./case-recorder.js";
import {
  CALL_TIMEOUT_MS,
  type ConformanceContext,
  count,
  LABEL,
  NAMESPACE,
  PIPELINE,
  PREFIXED_LABEL,
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

function subscription(label: string) {
  return { namespaceId: NAMESPACE, pipelineId: PIPELINE, pipelineTriggerLabel: label };
}

export function describeEvent(event: TriggerWatchResponse): string {
  const result = TriggerWatchResponse_Result[event.result] ?? String(event.result);
  return `${event.namespaceId}/${event.pipelineId}/${event.pipelineTriggerLabel} ${result} "${event.details}"`;
}

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

export async function runSubscriptionCases(ctx: ConformanceContext, server: ServerSession | undefined): Promise<void> {
  const { profile } = ctx;
  const notReady = server ? undefined : "the server did not become ready (see server.ready)";
  const call = { timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal };
  // Every label that Subscribe accepted, even if unsubscribed since: its queued events are legitimate.
  const accepted = new Set<string>();
  const subscribedAtMs = new Map<string, number>();

  async function subscribe(label: string, config: Readonly<Record<string, string>>): Promise<void> {
    if (!server) throw new Error("no server session");
    await server.client.subscribe({ ...subscription(label), config: { ...config } }, call);
    accepted.add(label);
    server.subscribed.add(label);
    subscribedAtMs.set(label, ctx.clock.now().getTime());
  }

  const settings = profile.settings;
  await ctx.cases.run(
    "subscribe.valid",
    `Subscribe ${NAMESPACE}/${PIPELINE}/${LABEL} with ${settings ? showSettings(settings) : "settings"} succeeds`,
    async () => {
      try {
        await subscribe(LABEL, settings ?? {});
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

  const prefixed = profile.prefixedSettings;
  await ctx.cases.run(
    "subscribe.prefixed-key",
    `Subscribe ${NAMESPACE}/${PIPELINE}/${PREFIXED_LABEL} with ${prefixed ? showSettings(prefixed) : "GOFER_PLUGIN_PARAM_ keys"}`,
    async () => {
      try {
        await subscribe(PREFIXED_LABEL, prefixed ?? {});
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        // The v0.4 pipeline SDKs prefix settings this way but the Go triggers read bare keys (spec §2.5, §7 #11).
        return warn(`refused with ${error.message}: only bare keys work, so Gofer must strip GOFER_PLUGIN_PARAM_`);
      }
      return pass("accepted");
    },
    notReady ?? (prefixed ? undefined : "no prefixed settings are known for a generic trigger"),
  );

  for (const invalid of profile.invalidSettings) {
    const label = `bad-${invalid.id}`;
    await ctx.cases.run(
      `subscribe.rejects-${invalid.id}`,
      `Subscribe ${invalid.description} is refused`,
      async () => {
        try {
          await subscribe(label, invalid.config);
        } catch (error) {
          if (!(error instanceof RpcError)) throw error;
          return pass(error.message);
        }
        // Do not let a wrongly accepted subscription fire into the later cases.
        await server?.client.unsubscribe(subscription(label), call).catch(() => undefined);
        server?.subscribed.delete(label);
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
        return warn(`registered is ${shown}; our triggers and the Go cron list every subscribed pipeline`);
      }
      return pass(`registered is ${shown}`);
    },
    notSubscribed,
  );

  async function expectEvent(label: string): Promise<ReceivedEvent> {
    if (!server) throw new Error("no server session");
    const fromMs = subscribedAtMs.get(label) ?? ctx.clock.now().getTime();
    const untilMs = fromMs + profile.firstEventTimeoutMs;
    const isWanted = (event: TriggerWatchResponse) =>
      event.namespaceId === NAMESPACE && event.pipelineId === PIPELINE && event.pipelineTriggerLabel === label;
    const start = server.events.received.length;
    const found =
      server.events.received.find((r) => r.atMs >= fromMs && isWanted(r.event)) ??
      (await server.events.waitFor(isWanted, untilMs));
    for (const received of server.events.received.slice(start)) {
      const problem = eventProblem(received.event, accepted);
      if (problem) throw new CaseFailure(problem);
    }
    if (!found) {
      throw new CaseFailure(
        `no event for ${label} within ${seconds(profile.firstEventTimeoutMs)} of subscribing ` +
          `(${count(server.events.received.length - start, "other event")} arrived)`,
      );
    }
    const problem = eventProblem(found.event, accepted);
    if (problem) throw new CaseFailure(problem);
    return found;
  }

  await ctx.cases.run(
    "watch.event",
    `Watch delivers a SUCCESS event for ${NAMESPACE}/${PIPELINE}/${LABEL}`,
    async () => {
      const found = await expectEvent(LABEL);
      const afterMs = found.atMs - (subscribedAtMs.get(LABEL) ?? found.atMs);
      return pass(`${seconds(afterMs)} after subscribing: ${describeEvent(found.event)}`);
    },
    notSubscribed,
  );

  await ctx.cases.run(
    "watch.prefixed-key-event",
    `Watch delivers events for ${PREFIXED_LABEL}, subscribed with GOFER_PLUGIN_PARAM_ keys`,
    async () => {
      const found = await expectEvent(PREFIXED_LABEL);
      const afterMs = found.atMs - (subscribedAtMs.get(PREFIXED_LABEL) ?? found.atMs);
      return pass(`${seconds(afterMs)} after subscribing: ${describeEvent(found.event)}`);
    },
    notReady ?? (server?.subscribed.has(PREFIXED_LABEL) ? undefined : "subscribe.prefixed-key was not accepted"),
  );
}
