// Every state change of a run or task run is written with its event in one transaction, then the event is
// published (spec §1.6 kinds). Completing is guarded: a task run or run that is already COMPLETE stays as it is, so a
// late exit (after a cancel or a repair finished it) cannot rewrite history or publish a second COMPLETED event.
import type { Clock } from "@gofer/trigger-sdk";
import type { Kysely } from "kysely";
import type { StoredEvent } from "../events/event-kinds.js";
import type { EventLog } from "../events/event-log.js";
import { storeEvent } from "../events/event-writer.js";
import { getRun, updateRun } from "../storage/run-repository.js";
import type {
  RunStatus,
  RunStatusReasonRecord,
  Schema,
  TaskRunRow,
  TaskRunStatus,
  TaskRunStatusReasonRecord,
} from "../storage/schema.js";
import { getTaskRun, insertTaskRun, updateTaskRun } from "../storage/task-run-repository.js";
import { transaction } from "../storage/transaction.js";
import { completedRunDetails, completedTaskRunDetails, runDetails, taskRunDetails } from "./run-events.js";
import type { RunRef } from "./run-orchestrator.js";

export interface TaskRunResult {
  status: Exclude<TaskRunStatus, "UNKNOWN">;
  reason: TaskRunStatusReasonRecord | null;
  exitCode: number | null;
}

export class RunStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
    private readonly eventLog: EventLog,
  ) {}

  /** PENDING → RUNNING with the run's task runs created: STARTED_RUN, then CREATED_TASKRUN for each. */
  async startRun(ref: RunRef, taskRuns: readonly TaskRunRow[]): Promise<boolean> {
    return this.commit(async (trx) => {
      const run = await getRun(trx, ref.namespaceId, ref.pipelineId, ref.runId);
      if (run?.state !== "PENDING") return [];
      await updateRun(trx, ref.namespaceId, ref.pipelineId, ref.runId, { state: "RUNNING" });
      const events = [await storeEvent(trx, this.clock, "STARTED_RUN", runDetails(ref))];
      for (const taskRun of taskRuns) {
        await insertTaskRun(trx, taskRun);
        events.push(await storeEvent(trx, this.clock, "CREATED_TASKRUN", taskRunDetails(ref, taskRun.id)));
      }
      return events;
    });
  }

  /** The container started: RUNNING with its scheduler id, STARTED_TASKRUN. */
  async startTaskRun(ref: RunRef, taskId: string, schedulerId: string): Promise<void> {
    await this.commit(async (trx) => {
      const taskRun = await getTaskRun(trx, ref.namespaceId, ref.pipelineId, ref.runId, taskId);
      if (!taskRun || taskRun.state === "COMPLETE") return [];
      await updateTaskRun(trx, ref.namespaceId, ref.pipelineId, ref.runId, taskId, {
        state: "RUNNING",
        started: this.clock.now().getTime(),
        scheduler_id: schedulerId,
      });
      return [await storeEvent(trx, this.clock, "STARTED_TASKRUN", taskRunDetails(ref, taskId))];
    });
  }

  /** COMPLETE with a status, COMPLETED_TASKRUN. @returns false when it was COMPLETE already (nothing changed). */
  async completeTaskRun(ref: RunRef, taskId: string, result: TaskRunResult): Promise<boolean> {
    return this.commit(async (trx) => {
      const taskRun = await getTaskRun(trx, ref.namespaceId, ref.pipelineId, ref.runId, taskId);
      if (!taskRun || taskRun.state === "COMPLETE") return [];
      await updateTaskRun(trx, ref.namespaceId, ref.pipelineId, ref.runId, taskId, {
        state: "COMPLETE",
        status: result.status,
        status_reason: result.reason,
        exit_code: result.exitCode,
        ended: this.clock.now().getTime(),
      });
      return [
        await storeEvent(trx, this.clock, "COMPLETED_TASKRUN", completedTaskRunDetails(ref, taskId, result.status)),
      ];
    });
  }

  /** COMPLETE with a status, COMPLETED_RUN. @returns false when it was COMPLETE already. */
  async completeRun(ref: RunRef, status: Exclude<RunStatus, "UNKNOWN">, reason: RunStatusReasonRecord | null) {
    return this.commit(async (trx) => {
      const run = await getRun(trx, ref.namespaceId, ref.pipelineId, ref.runId);
      if (!run || run.state === "COMPLETE") return [];
      await updateRun(trx, ref.namespaceId, ref.pipelineId, ref.runId, {
        state: "COMPLETE",
        status,
        status_reason: reason,
        ended: this.clock.now().getTime(),
      });
      return [await storeEvent(trx, this.clock, "COMPLETED_RUN", completedRunDetails(ref, status))];
    });
  }

  /** @returns whether anything was written (some event stored). */
  private async commit(write: (trx: Kysely<Schema>) => Promise<StoredEvent[]>): Promise<boolean> {
    const events = await transaction(this.db, write);
    for (const event of events) this.eventLog.publish(event);
    return events.length > 0;
  }
}
