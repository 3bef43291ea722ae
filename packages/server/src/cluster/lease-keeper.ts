// Which replica runs which trigger (postgres only). Each trigger has a lease row (storage/trigger-lease-repository.ts);
// the replica holding it unexpired is the one that starts the trigger's container and Watches it. Every third of the
// lease this keeper renews what it holds, tries to take every enabled trigger nobody holds (never held, released, or
// left to expire by a replica that died), and lets go of triggers that were disabled or uninstalled through any
// replica. A trigger whose lease it lost is stopped here at once, and one it cannot renew a round before the lease
// runs out, since from the expiry on another replica may run it. It also brings each held trigger's subscriptions
// level with the stored ones (pipelines changed through other replicas). Each change of holder is recorded in the
// event log (TOOK_TRIGGER, LEFT_TRIGGER), so the log shows who held each trigger when.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { EventLog } from "../events/event-log.js";
import type { TriggerLeaseRow } from "../storage/replica-tables.js";
import type { Schema } from "../storage/schema.js";
import {
  acquireTriggerLease,
  listTriggerLeases,
  releaseTriggerLease,
  renewTriggerLease,
} from "../storage/trigger-lease-repository.js";

/** What the keeper drives: the trigger runtime (triggers/trigger-runtime.ts). */
export interface LeasedTriggers {
  /** The installed triggers, enabled or not. */
  triggerStatuses(): Promise<Array<{ name: string; enabled: boolean }>>;
  /** Starts the trigger here (this replica took its lease); resolves once it started or failed its first start. */
  adopt(name: string): Promise<void>;
  /** Stops the trigger here without touching its pipelines (another replica runs it now). */
  relinquish(name: string, why: string): Promise<void>;
}

/** The subscription manager (triggers/subscription-manager.ts). */
export interface HeldSubscriptions {
  /** Brings a running trigger's subscriptions level with the stored ones (pipelines changed through any replica). */
  converge(name: string): Promise<void>;
}

export interface LeaseKeeperOptions {
  readonly db: Kysely<Schema>;
  /** This replica (cluster/replica-id.ts). */
  readonly owner: string;
  readonly ttlMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly eventLog: EventLog;
  /** Housekeeping done once a round (run claims past their expiry). */
  readonly eachRound?: () => Promise<unknown>;
}

export class LeaseKeeper {
  /** Leases this replica holds, by trigger name. */
  private readonly held = new Map<string, TriggerLeaseRow>();
  /** Held triggers whose subscriptions are being brought level now (one at a time each). */
  private readonly converging = new Set<string>();
  /** Triggers disabled at the last round. */
  private disabled = new Set<string>();

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** Whether this replica holds the trigger's lease now (the runtime starts only those). */
  holds(name: string): boolean {
    const lease = this.held.get(name);
    return lease !== undefined && lease.expires > this.options.clock.now().getTime();
  }

  /**
   * Whether the trigger runs on some replica, or is about to: all but those disabled at the last round (a trigger
   * installed since may not have been seen yet; one that is not installed at all never gets this far).
   */
  runsSomewhere(name: string): boolean {
    return !this.disabled.has(name);
  }

  /** Takes the trigger now if nobody holds it (install, enable through this replica). */
  async claim(name: string): Promise<boolean> {
    if (this.holds(name)) return true;
    const { db, owner, ttlMs, clock } = this.options;
    const before = (await listTriggerLeases(db)).find((lease) => lease.trigger_name === name);
    const lease = await acquireTriggerLease(db, { triggerName: name, owner, nowMs: clock.now().getTime(), ttlMs });
    if (!lease) return false;
    await this.took(lease, before);
    return true;
  }

  /**
   * Rounds every third of the lease until signal aborts; the first round is done when this resolves (the triggers
   * it took are starting). @returns the loop, which ends after the signal aborts.
   */
  async start(
    triggers: LeasedTriggers,
    subscriptions: HeldSubscriptions,
    signal: AbortSignal,
  ): Promise<{ loop: Promise<void> }> {
    await this.round(triggers, subscriptions);
    const loop = (async () => {
      while (!signal.aborted) {
        try {
          await this.options.clock.sleep(Math.max(1, Math.floor(this.options.ttlMs / 3)), signal);
        } catch {
          return;
        }
        await this.round(triggers, subscriptions).catch((error: unknown) =>
          this.options.logger.error("trigger lease round failed", { error: errorMessage(error) }),
        );
      }
    })();
    return { loop };
  }

  /** Gives up every lease (after this replica's triggers stopped), so others take them without waiting for expiry. */
  async releaseAll(reason: string): Promise<void> {
    const leases = [...this.held.values()];
    this.held.clear();
    for (const lease of leases) {
      try {
        if (
          await releaseTriggerLease(this.options.db, {
            triggerName: lease.trigger_name,
            owner: lease.owner,
            term: lease.term,
          })
        )
          await this.left(lease, reason);
      } catch (error) {
        this.options.logger.warn("could not release a trigger lease; it expires by itself", {
          trigger: lease.trigger_name,
          error: errorMessage(error),
        });
      }
    }
  }

  private async round(triggers: LeasedTriggers, subscriptions: HeldSubscriptions): Promise<void> {
    const { db, owner, ttlMs, clock, logger } = this.options;
    const statuses = await triggers.triggerStatuses();
    const enabled = new Set(statuses.filter((s) => s.enabled).map((s) => s.name));
    this.disabled = new Set(statuses.filter((s) => !s.enabled).map((s) => s.name));
    for (const [name, lease] of [...this.held]) {
      const nowMs = clock.now().getTime();
      if (!enabled.has(name)) {
        this.held.delete(name);
        await triggers.relinquish(name, "is disabled or uninstalled");
        await releaseTriggerLease(db, { triggerName: name, owner, term: lease.term });
        await this.left(lease, "disabled or uninstalled");
        continue;
      }
      let renewed: TriggerLeaseRow | undefined;
      try {
        renewed = await renewTriggerLease(db, { triggerName: name, owner, nowMs, ttlMs, term: lease.term });
      } catch (error) {
        // Not known to be lost, so kept while a round is left before it runs out: the trigger is then stopped a
        // round ahead of the expiry, after which another replica may take it.
        logger.warn("could not renew a trigger lease", { trigger: name, error: errorMessage(error) });
        if (lease.expires - ttlMs / 3 > clock.now().getTime()) continue;
      }
      if (renewed) {
        this.held.set(name, renewed);
        this.converge(name, subscriptions);
        continue;
      }
      this.held.delete(name);
      await triggers.relinquish(name, "is held by another replica");
      await this.left(lease, "lease lost");
    }
    await this.options.eachRound?.();
    const leases = new Map((await listTriggerLeases(db)).map((lease) => [lease.trigger_name, lease]));
    for (const name of enabled) {
      if (this.held.has(name)) continue;
      const before = leases.get(name);
      const nowMs = clock.now().getTime();
      if (before && before.owner !== "" && before.owner !== owner && before.expires > nowMs) continue;
      const lease = await acquireTriggerLease(db, { triggerName: name, owner, nowMs, ttlMs });
      if (!lease) continue;
      await this.took(lease, before);
      // Not awaited: a trigger's first start (readiness) must not hold up the renewal of the others.
      triggers
        .adopt(name)
        .catch((error: unknown) =>
          logger.error("could not start a trigger this replica took", { trigger: name, error: errorMessage(error) }),
        );
    }
  }

  /** Not awaited: a slow trigger must not hold up the renewals. */
  private converge(name: string, subscriptions: HeldSubscriptions): void {
    if (this.converging.has(name)) return;
    this.converging.add(name);
    subscriptions
      .converge(name)
      .catch((error: unknown) =>
        this.options.logger.error("could not bring a trigger's subscriptions level", {
          trigger: name,
          error: errorMessage(error),
        }),
      )
      .finally(() => this.converging.delete(name));
  }

  private took(lease: TriggerLeaseRow, before: TriggerLeaseRow | undefined): Promise<void> {
    this.held.set(lease.trigger_name, lease);
    const previous = before && before.owner !== "" && before.owner !== lease.owner ? before.owner : "";
    this.options.logger.info("this replica runs a trigger now", {
      trigger: lease.trigger_name,
      term: lease.term,
      previous,
    });
    return this.record("TOOK_TRIGGER", {
      name: lease.trigger_name,
      replica: lease.owner,
      term: lease.term,
      previous,
      ...(previous ? { previous_expired: before?.expires } : {}),
    });
  }

  private async left(lease: TriggerLeaseRow, reason: string): Promise<void> {
    this.options.logger.info("this replica no longer runs a trigger", { trigger: lease.trigger_name, reason });
    await this.record("LEFT_TRIGGER", { name: lease.trigger_name, replica: lease.owner, term: lease.term, reason });
  }

  /** Never rejects: a change of holder that could not be recorded is logged instead. */
  private async record(kind: "TOOK_TRIGGER" | "LEFT_TRIGGER", details: Record<string, unknown>): Promise<void> {
    await this.options.eventLog
      .record(kind, details)
      .then(undefined, (error: unknown) =>
        this.options.logger.error("could not record a change of trigger holder", { kind, error: errorMessage(error) }),
      );
  }
}
