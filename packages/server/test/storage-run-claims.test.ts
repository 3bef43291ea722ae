// Run claims (issue 21): the server about to start a run claims it first; a claim keeps other servers off the run
// until it expires, and spent claims are swept. Times are given, not waited for.
import { expect, it } from "vitest";
import { insertNamespace } from "../src/storage/namespace-repository.js";
import { replacePipeline } from "../src/storage/pipeline-repository.js";
import { claimRun, deleteSpentRunClaims, type RunKey } from "../src/storage/run-claim-repository.js";
import { insertRun, updateRun } from "../src/storage/run-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { newRunRow, pipelineRow } from "./storage-fixtures.js";
import { useTempDatabase } from "./temp-database.js";

const TTL = 30_000;

describeEachStorageEngine("pending-run claims", (engine) => {
  const temp = useTempDatabase(engine);

  /** Runs 1…count of pipeline `p`, started in that order; those in `running` are RUNNING, the rest PENDING. */
  async function seedRuns(count: number, running: readonly number[] = []): Promise<void> {
    const { db } = temp.database;
    await insertNamespace(db, { id: "default", name: "", description: "", created: 1, modified: 1 });
    await replacePipeline(db, { pipeline: pipelineRow("default", "p"), tasks: [], subscriptions: [] });
    for (let i = 1; i <= count; i += 1) {
      await insertRun(db, newRunRow("default", "p", { started: 1_000 + i }));
      if (running.includes(i)) await updateRun(db, "default", "p", i, { state: "RUNNING" });
    }
  }
  it("claim one run for its starter: a PENDING run once, a RUNNING one only by the server that claimed it", async () => {
    await seedRuns(3, [3]);
    const { db } = temp.database;
    const run = (run_id: number): RunKey => ({ namespace_id: "default", pipeline_id: "p", run_id });
    const take = (owner: string, id: number, nowMs: number) => claimRun(db, run(id), { owner, nowMs, ttlMs: TTL });
    expect(await take("a", 1, 0)).toBe(true);
    expect(await take("b", 1, 0)).toBe(false);
    expect(await take("a", 1, 1)).toBe(true); // its own claim, renewed
    expect(await take("b", 1, TTL + 1)).toBe(true); // a's ran out before it started the run
    // Never claimed (started before claims existed): whoever repairs it takes it.
    expect(await take("c", 3, 0)).toBe(true);
    await updateRun(db, "default", "p", 1, { state: "RUNNING" });
    expect(await take("a", 1, 0)).toBe(false); // b started it and executes it
    expect(await take("b", 1, 10 * TTL)).toBe(true); // b, restarted, repairs its own
    expect(await take("a", 404, 0)).toBe(false);

    expect(await take("a", 2, 0)).toBe(true);
    await updateRun(db, "default", "p", 1, { state: "COMPLETE" });
    // Spent: the completed run's claim; kept: the RUNNING run's (none here) and the unexpired PENDING one.
    expect(await deleteSpentRunClaims(db, 1)).toBe(1);
    expect(await take("b", 2, 1)).toBe(false);
    expect(await deleteSpentRunClaims(db, TTL)).toBe(1); // 2's claim ran out while it is still PENDING
    expect(await take("b", 2, TTL)).toBe(true);
  });
});
