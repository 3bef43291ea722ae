import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHarness, type Harness, ref } from "./runs-harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

/** A task that appends "start <run>" and "end <run>" to a shared file around a short sleep. */
function journaling(file: string) {
  return { id: "work", command: `echo start $GOFER_RUN_ID >> ${file}; sleep 0.15; echo end $GOFER_RUN_ID >> ${file}` };
}

/**
 * Journals like `journaling`, and in between waits (at most ~5 s, then fails) until `together` runs have reached that
 * point: it succeeds only if that many runs execute at the same time.
 */
function meeting(dir: string, together: number) {
  const arrived = `$(ls ${dir}/arrived.* | wc -l)`;
  return {
    id: "work",
    command:
      `echo start $GOFER_RUN_ID >> ${dir}/journal; touch ${dir}/arrived.$GOFER_RUN_ID; i=0; ` +
      `while [ ${arrived} -lt ${together} ]; do i=$((i+1)); [ $i -gt 250 ] && exit 1; sleep 0.02; done; ` +
      `echo end $GOFER_RUN_ID >> ${dir}/journal`,
  };
}

/** The most runs that were between their start and end at once. */
function maxOverlap(file: string): number {
  let now = 0;
  let max = 0;
  for (const line of readFileSync(file, "utf8").trim().split("\n")) {
    now += line.startsWith("start") ? 1 : -1;
    max = Math.max(max, now);
  }
  return max;
}

async function runThree(pipelineId: string): Promise<string[]> {
  for (let i = 0; i < 3; i++) await h.orchestrator.startRun("default", pipelineId, {});
  const runs = await Promise.all([1, 2, 3].map((id) => h.orchestrator.waitForRun(ref(pipelineId, id))));
  return runs.map((run) => run.status);
}

describe("run parallelism", () => {
  it("parallelism 1 runs three runs one after the other, and all complete", async () => {
    h = await createHarness();
    const file = join(h.dir, "journal");
    await h.addPipeline("one", [journaling(file)], 1);
    expect(await runThree("one")).toEqual(["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]);
    expect(readFileSync(file, "utf8").trim().split("\n")).toEqual([
      "start 1",
      "end 1",
      "start 2",
      "end 2",
      "start 3",
      "end 3",
    ]);
  });

  it("parallelism 2 lets two runs go at once, never three", async () => {
    h = await createHarness();
    await h.addPipeline("two", [meeting(h.dir, 2)], 2);
    expect(await runThree("two")).toEqual(["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]);
    expect(maxOverlap(join(h.dir, "journal"))).toBe(2);
  });

  it("the global limit caps a pipeline whose parallelism is higher", async () => {
    h = await createHarness({ config: { runParallelismLimit: 1 } });
    const file = join(h.dir, "journal");
    await h.addPipeline("two", [journaling(file)], 2);
    expect(await runThree("two")).toEqual(["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]);
    expect(maxOverlap(file)).toBe(1);
  });

  it("parallelism 0 means the global limit applies, across pipelines too", async () => {
    h = await createHarness({ config: { runParallelismLimit: 1 } });
    const file = join(h.dir, "journal");
    await h.addPipeline("zero", [journaling(file)], 0);
    await h.addPipeline("other", [journaling(file)], 0);
    await h.orchestrator.startRun("default", "zero", {});
    await h.orchestrator.startRun("default", "other", {});
    await h.orchestrator.startRun("default", "zero", {});
    const runs = await Promise.all(
      [ref("zero", 1), ref("other", 1), ref("zero", 2)].map((r) => h.orchestrator.waitForRun(r)),
    );
    expect(runs.map((run) => run.status)).toEqual(["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]);
    expect(maxOverlap(file)).toBe(1);
  });

  it("without any limit every run starts at once", async () => {
    h = await createHarness();
    await h.addPipeline("free", [meeting(h.dir, 3)], 0);
    expect(await runThree("free")).toEqual(["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]);
  });

  it("a run waiting for its slot stays PENDING until it gets one", async () => {
    h = await createHarness();
    await h.addPipeline("slow", [{ id: "wait", command: "sleep 30" }], 1);
    await h.orchestrator.startRun("default", "slow", {});
    await h.orchestrator.startRun("default", "slow", {});
    await h.event((e) => e.kind === "STARTED_TASKRUN");
    const second = await h.database.db.selectFrom("runs").select("state").where("id", "=", 2).executeTakeFirst();
    expect(second?.state).toBe("PENDING");
    expect(h.orchestrator.runningCount).toBe(1);
    await h.orchestrator.cancelAllRuns("default", "slow", { force: true });
  });
});
