// This replica's part in a group of servers sharing one Postgres database: the trigger leases it keeps
// (lease-keeper.ts) and the claims it takes on runs before starting them (run-claims.ts). server.ts hands the leases
// to the trigger runtime, the claims to the run orchestrator and the record fence to the event processor's store, and
// puts the two stops in its lifecycle.
import { dirname } from "node:path";
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { Logger } from "winston";
import type { ServerConfig } from "../config/config.js";
import type { RecordFence } from "../event-processing/event-processor-store.js";
import type { EventLog } from "../events/event-log.js";
import type { StopStep } from "../lifecycle.js";
import type { Schema } from "../storage/schema.js";
import { heldTriggerLeases } from "../storage/trigger-lease-repository.js";
import { type HeldSubscriptions, type LeasedTriggers, LeaseKeeper } from "./lease-keeper.js";
import { replicaId } from "./replica-id.js";
import { RunClaims } from "./run-claims.js";

/** This replica's id, kept beside storage_path (each replica has a data directory of its own). */
export function clusterReplicaId(server: ServerConfig): Promise<string> {
  return replicaId(dirname(server.storagePath));
}

export interface ClusterParts {
  readonly db: Kysely<Schema>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly eventLog: EventLog;
}

export class Cluster {
  readonly leases: LeaseKeeper;
  readonly runClaims: RunClaims;
  /**
   * Events are recorded only of triggers this replica holds unexpired, checked in the recording transaction: a holder
   * frozen past its lease (SIGSTOP, a suspended VM) wakes up still watching, and its events must not be recorded
   * beside those of the replica that took the trigger over. The lease rows stay locked until the events commit, so a
   * takeover waits for them.
   */
  readonly recordFence: RecordFence;
  /**
   * Runs after the triggers stopped (the step starts before them): waits for the renewal loop, which ends with the
   * server's lifetime signal, then hands the leases on at once instead of at expiry. Released only now, so no trigger
   * runs on two servers at once.
   */
  readonly stopStep: StopStep<{ loop: Promise<void> }> = {
    name: "trigger leases released",
    // Right after the triggers' own mark: an unreachable database must not hold the rest of the stop up.
    by: 0.5,
    run: async (started, { reason }) => {
      await started.loop;
      await this.leases.releaseAll(`server stopping: ${reason}`);
    },
  };

  /** Keeps the leases from now until signal aborts; the triggers held after the first round are starting. */
  keep(
    triggers: LeasedTriggers,
    subscriptions: HeldSubscriptions,
    signal: AbortSignal,
  ): Promise<{ loop: Promise<void> }> {
    return this.leases.start(triggers, subscriptions, signal);
  }

  /** The cluster part of a server on Postgres; none on sqlite (one server, which runs every trigger). */
  static of(server: ServerConfig, replica: string, parts: ClusterParts): Cluster | undefined {
    return server.storageEngine === "postgres" ? new Cluster(replica, server, parts) : undefined;
  }

  constructor(replica: string, server: ServerConfig, parts: ClusterParts) {
    this.runClaims = new RunClaims(parts.db, replica, parts.clock);
    this.recordFence = (trx, triggerNames) =>
      heldTriggerLeases(trx, { owner: replica, nowMs: parts.clock.now().getTime(), triggerNames });
    this.leases = new LeaseKeeper({
      ...parts,
      owner: replica,
      ttlMs: server.replicaLeaseMs,
      eachRound: () => this.runClaims.sweep(),
    });
  }
}
