// Run parallelism without polling and without the original's deadlock (spec §7 #21): each pipeline has a queue whose
// concurrency is its `parallelism` (0: unlimited, so only the global limit applies), and a run that gets a pipeline
// slot then waits for one of the global `run_parallelism_limit` slots (0: unlimited).
//
// Why this cannot deadlock: a run holds its pipeline slot while it waits for a global slot, but every global slot is
// held by a run that is already executing and waits on nothing that needs a slot, so global slots always come free.
// Runs are only counted while they hold slots, so a waiting run never counts against itself (the original's N-1).
// Within a pipeline runs start in submission order.
import PQueue from "p-queue";

export class RunQueue {
  private readonly global: PQueue;
  private readonly pipelines = new Map<string, PQueue>();

  constructor(globalLimit: number) {
    this.global = new PQueue({ concurrency: limitOf(globalLimit) });
  }

  /**
   * Runs `job` once it holds a slot of its pipeline and a global slot. Rejects with the signal's reason if the signal
   * aborts while the job is still waiting; an abort once the job runs is the job's business.
   */
  async run(pipelineKey: string, parallelism: number, job: () => Promise<void>, signal: AbortSignal): Promise<void> {
    let queue = this.pipelines.get(pipelineKey);
    if (!queue) {
      queue = new PQueue({ concurrency: limitOf(parallelism) });
      this.pipelines.set(pipelineKey, queue);
    } else if (queue.concurrency !== limitOf(parallelism)) {
      // The pipeline was updated: later runs follow its new parallelism.
      queue.concurrency = limitOf(parallelism);
    }
    const pipelineQueue = queue;
    try {
      await pipelineQueue.add(() => this.global.add(job, { signal }), { signal });
    } finally {
      if (
        pipelineQueue.size === 0 &&
        pipelineQueue.pending === 0 &&
        this.pipelines.get(pipelineKey) === pipelineQueue
      ) {
        this.pipelines.delete(pipelineKey);
      }
    }
  }

  /** Runs executing now (holding a global slot). */
  get running(): number {
    return this.global.pending;
  }
}

function limitOf(limit: number): number {
  return limit > 0 ? limit : Number.POSITIVE_INFINITY;
}
