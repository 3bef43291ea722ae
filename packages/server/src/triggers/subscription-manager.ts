// Keeps each trigger's subscriptions equal to what the stored pipelines ask for. A subscription is identified by
// (namespace, pipeline, label) and nothing else.
//
// - After a trigger (re)starts, reconcile() subscribes every stored subscription naming it (a fresh process holds
//   none). A refusal or an unreachable trigger puts a TRIGGER_SUBSCRIPTION_FAILURE error on the pipeline; a later
//   success clears it (the original never cleared it).
// - A pipeline create/update applies its changes to the triggers *before* anything is stored, and undoes them on the
//   first failure, so a failed update leaves the previous version intact (the original deleted the pipeline, §7 #13).
//   The error carries the trigger's own text (§7 #14).
// - The same key is unsubscribed before it is subscribed again: original triggers leak or duplicate on a repeated
//   Subscribe (§7 #10). Unsubscribe errors are logged, never fatal.
// - Secret and object references in settings are resolved at each Subscribe (spec §2.5); the stored settings keep
//   the references, and a miss fails the subscription with the setting and the key named.
// - Settings keys are upper-cased and sent both as given and without the GOFER_PLUGIN_PARAM_ prefix (§7 #11).
// - Level-triggered: a change naming a trigger that is installed and enabled but not running yet (starting, or
//   restarting after a crash) succeeds; its subscription is pending, shown on the pipeline as such, and made by the
//   reconcile that follows as soon as the trigger is ready. A trigger that refuses a subscription is still an error.
// All operations run one at a time, so a reconcile and a pipeline change never interleave.
import type { SubscriptionKey } from "@gofer/kernel";
import type { Logger } from "winston";
import { errorMessage, FailedPreconditionError } from "../errors.js";
import { OVERLAP_SETTING } from "../runs/overlap-policy.js";
import type { PluginConnection } from "./plugin-connection.js";
import type { TriggerChange } from "./trigger-changes.js";

export interface SubscriptionRecord extends SubscriptionKey {
  triggerName: string;
  settings: Record<string, string>;
}

export interface SubscriptionStore {
  /** Stored subscriptions naming the trigger, of every pipeline (active or disabled). */
  listSubscriptions(triggerName: string): Promise<SubscriptionRecord[]>;
  /** Sets (message) or clears (null) the pipeline's subscription error for one label. */
  setSubscriptionError(subscription: SubscriptionRecord, message: string | null): Promise<void>;
}

export interface TriggerConnections {
  /**
   * A connection to a running trigger or extension, or a reason why there is none; `pending` when the trigger is
   * installed and enabled and will be ready (starting or restarting), so a subscription to it can wait.
   */
  connection(triggerName: string): { client: PluginConnection } | { unavailable: string; pending?: boolean };
}

const PARAM_PREFIX = "GOFER_PLUGIN_PARAM_";
/** How a pending subscription reads among the pipeline's errors. */
export const PENDING_PREFIX = "pending: ";

/** The config map sent in Subscribe. */
export function subscribeConfig(settings: Record<string, string>): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key.toLowerCase() === OVERLAP_SETTING) continue; // the server's own setting (overlap-policy.ts)
    const upper = key.toUpperCase();
    config[upper] = value;
    if (upper.startsWith(PARAM_PREFIX) && upper.length > PARAM_PREFIX.length) {
      const bare = upper.slice(PARAM_PREFIX.length);
      // A setting given bare wins over the same key stripped of the prefix.
      if (!(bare in settings) && !(bare.toLowerCase() in settings)) config[bare] = value;
    }
  }
  return config;
}

function keyId(s: { namespaceId: string; pipelineId: string; label: string }): string {
  return `${s.namespaceId}\u0000${s.pipelineId}\u0000${s.label}`;
}

function describe(s: SubscriptionRecord): string {
  return `subscription "${s.label}" of pipeline "${s.namespaceId}/${s.pipelineId}" to trigger "${s.triggerName}"`;
}

function sameSubscription(a: SubscriptionRecord, b: SubscriptionRecord): boolean {
  return (
    a.triggerName === b.triggerName &&
    JSON.stringify(subscribeConfig(a.settings)) === JSON.stringify(subscribeConfig(b.settings))
  );
}

export class SubscriptionManager {
  /** trigger name → key id → the subscription the running trigger holds */
  private readonly actual = new Map<string, Map<string, SubscriptionRecord>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: SubscriptionStore,
    private readonly triggers: TriggerConnections,
    private readonly logger: Logger,
    /** Resolves secret and object references in the settings (stores/interpolation.ts); throws naming a miss. */
    private readonly resolveSettings: (s: SubscriptionRecord) => Record<string, string> = (s) => s.settings,
  ) {}

  /** Subscriptions the trigger currently holds (for tests and Info comparisons). */
  held(triggerName: string): SubscriptionRecord[] {
    return [...(this.actual.get(triggerName)?.values() ?? [])];
  }

  /** Follows the trigger runtime (server.ts wires it in): ready → reconcile, exited → forget, leaving → release. */
  onTriggerChange(change: TriggerChange): Promise<void> {
    if (change.kind === "ready") return this.reconcile(change.name);
    if (change.kind === "leaving") return this.release(change.name, change.why);
    this.forget(change.name);
    return Promise.resolve();
  }

  /** A trigger (re)started: subscribe all stored subscriptions naming it. Failures go on the pipelines. */
  reconcile(triggerName: string): Promise<void> {
    return this.serial(async () => {
      this.actual.set(triggerName, new Map());
      const wanted = await this.store.listSubscriptions(triggerName);
      let failed = 0;
      for (const subscription of wanted) {
        try {
          await this.subscribe(subscription);
          await this.store.setSubscriptionError(subscription, null);
        } catch (error) {
          failed += 1;
          await this.store.setSubscriptionError(subscription, errorMessage(error));
        }
      }
      this.logger.info("trigger subscriptions restored", {
        trigger: triggerName,
        subscribed: wanted.length - failed,
        failed,
      });
    });
  }

  /**
   * Makes a running trigger hold exactly the stored subscriptions naming it, touching only those that differ. For a
   * replica (cluster/) whose trigger's pipelines change through another replica's API, which cannot reach the trigger.
   */
  converge(triggerName: string): Promise<void> {
    return this.serial(async () => {
      const held = this.actual.get(triggerName);
      if (!held) return; // not ready yet: the reconcile that follows readiness subscribes everything
      const wanted = await this.store.listSubscriptions(triggerName);
      const keys = new Set(wanted.map(keyId));
      for (const stale of [...held.values()]) if (!keys.has(keyId(stale))) await this.unsubscribe(stale);
      for (const subscription of wanted) {
        const current = held.get(keyId(subscription));
        if (current && sameSubscription(current, subscription)) continue;
        try {
          if (current) await this.unsubscribe(current);
          await this.subscribe(subscription);
          await this.store.setSubscriptionError(subscription, null);
        } catch (error) {
          await this.store.setSubscriptionError(subscription, errorMessage(error));
        }
      }
    });
  }

  /** A trigger stopped: it holds nothing any more. */
  forget(triggerName: string): void {
    this.actual.delete(triggerName);
  }

  /**
   * Before a trigger is uninstalled or disabled: unsubscribe everything it holds and mark those pipelines, so that
   * their authors see why no run comes.
   */
  release(triggerName: string, why: string): Promise<void> {
    return this.serial(async () => {
      for (const subscription of await this.store.listSubscriptions(triggerName)) {
        await this.unsubscribe(subscription);
        await this.store.setSubscriptionError(subscription, `trigger "${triggerName}" ${why}`);
      }
      this.actual.delete(triggerName);
    });
  }

  /**
   * Applies a pipeline's change of subscriptions (before: stored version, after: new version) to the triggers. On the
   * first failure every change made so far is undone and a FailedPreconditionError carries the trigger's message.
   */
  apply(before: SubscriptionRecord[], after: SubscriptionRecord[]): Promise<void> {
    return this.serial(async () => {
      const old = new Map(before.map((s) => [keyId(s), s]));
      const undo: Array<() => Promise<void>> = [];
      const pending: Array<{ subscription: SubscriptionRecord; why: string }> = [];
      try {
        for (const next of after) {
          const previous = old.get(keyId(next));
          if (previous && sameSubscription(previous, next) && this.holds(previous)) continue;
          if (previous) {
            await this.unsubscribe(previous);
            undo.push(() => this.subscribe(previous));
          }
          const connection = this.triggers.connection(next.triggerName);
          if ("unavailable" in connection && connection.pending) {
            pending.push({ subscription: next, why: connection.unavailable });
            continue;
          }
          await this.subscribe(next);
          undo.push(() => this.unsubscribe(next));
        }
      } catch (error) {
        for (const step of undo.reverse()) {
          await step().catch((undoError: unknown) =>
            this.logger.error("could not undo a subscription change", { error: errorMessage(undoError) }),
          );
        }
        throw new FailedPreconditionError(errorMessage(error));
      }
      const kept = new Set(after.map(keyId));
      for (const previous of before) {
        if (!kept.has(keyId(previous))) await this.unsubscribe(previous);
      }
      for (const { subscription, why } of pending) {
        this.logger.info("subscription pending until the trigger is ready", { subscription: describe(subscription) });
        await this.store.setSubscriptionError(
          subscription,
          `${PENDING_PREFIX}${why}; it is made as soon as the trigger is ready`,
        );
      }
    });
  }

  /** A pipeline was deleted: unsubscribe all of it (errors are logged). */
  remove(subscriptions: SubscriptionRecord[]): Promise<void> {
    return this.serial(async () => {
      for (const subscription of subscriptions) await this.unsubscribe(subscription);
    });
  }

  private holds(s: SubscriptionRecord): boolean {
    return this.actual.get(s.triggerName)?.has(keyId(s)) ?? false;
  }

  private async subscribe(s: SubscriptionRecord): Promise<void> {
    const connection = this.triggers.connection(s.triggerName);
    if ("unavailable" in connection) {
      throw new Error(`could not subscribe ${describe(s)}: ${connection.unavailable}`);
    }
    let settings: Record<string, string>;
    try {
      settings = this.resolveSettings(s);
    } catch (error) {
      throw new Error(`could not subscribe ${describe(s)}: ${errorMessage(error)}`);
    }
    try {
      await connection.client.subscribe(s, subscribeConfig(settings));
    } catch (error) {
      const details = (error as { details?: string }).details || errorMessage(error);
      throw new Error(`could not subscribe ${describe(s)}: ${details}`);
    }
    let held = this.actual.get(s.triggerName);
    if (!held) {
      held = new Map();
      this.actual.set(s.triggerName, held);
    }
    held.set(keyId(s), s);
  }

  private async unsubscribe(s: SubscriptionRecord): Promise<void> {
    this.actual.get(s.triggerName)?.delete(keyId(s));
    const connection = this.triggers.connection(s.triggerName);
    if ("unavailable" in connection) return; // a stopped trigger holds nothing
    try {
      await connection.client.unsubscribe(s);
    } catch (error) {
      // The original interval trigger refuses unknown keys (§7 #6); nothing to do either way.
      this.logger.warn("unsubscribe failed", { subscription: describe(s), error: errorMessage(error) });
    }
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => {});
    return next;
  }
}
