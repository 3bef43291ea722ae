// Pending runs are claimed before they start (postgres only): the run orchestrator asks before it executes a run it
// was given, and only the claim's winner starts it, so a PENDING run submitted on two replicas (one created it, the
// other found it at its start) runs once. The claim stays while the run executes and names the replica executing it:
// a replica repairing RUNNING runs at its start takes only its own (its id survives restarts), never a sibling's.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { claimRun, deleteSpentRunClaims } from "../storage/run-claim-repository.js";
import type { Schema } from "../storage/schema.js";

/** Long enough for a run to go from its claim to RUNNING on a busy replica; a dead claimant's PENDING runs wait this long. */
export const RUN_CLAIM_TTL_MS = 60_000;

export class RunClaims {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly owner: string,
    private readonly clock: Clock,
  ) {}

  /** Whether this replica may start the run now (it won the run's claim). */
  take(ref: { namespaceId: string; pipelineId: string; runId: number }): Promise<boolean> {
    return claimRun(
      this.db,
      { namespace_id: ref.namespaceId, pipeline_id: ref.pipelineId, run_id: ref.runId },
      { owner: this.owner, nowMs: this.clock.now().getTime(), ttlMs: RUN_CLAIM_TTL_MS },
    );
  }

  /** Forgets claims of completed runs, and expired ones of runs still PENDING (their claimant died first). */
  sweep(): Promise<number> {
    return deleteSpentRunClaims(this.db, this.clock.now().getTime());
  }
}
