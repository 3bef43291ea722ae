// CommitQueue (runs/commit-queue.ts) on both engines: changes asked for together share one transaction, each caller
// hears of its change only once it is committed, and a change that cannot be written fails alone.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NotFoundError } from "../src/errors.js";
import { CommitQueue } from "../src/runs/commit-queue.js";
import type { Database } from "../src/storage/database.js";
import type { TokenRow } from "../src/storage/schema.js";
import { getToken, insertToken } from "../src/storage/token-repository.js";
import { createHarness, type Harness, ref } from "./runs-harness.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

const token = (hash: string): TokenRow => ({
  hash,
  kind: "CLIENT",
  namespaces: ["default"],
  metadata: {},
  created: 1,
  expires: 2,
  disabled: false,
});

describeEachStorageEngine("CommitQueue", (engine) => {
  const temp = useTempDatabase(engine);
  let database: Database;
  let queue: CommitQueue;
  beforeEach(() => {
    database = temp.database;
    queue = new CommitQueue(database.db);
  });

  it("writes the changes asked for together in one transaction, and answers each once it is committed", async () => {
    const transactions = vi.spyOn(database.db, "transaction");
    const answers = await Promise.all(
      ["a", "b", "c"].map((hash) =>
        queue.commit(async (trx) => {
          await insertToken(trx, token(hash));
          return hash.toUpperCase();
        }),
      ),
    );
    expect(answers).toEqual(["A", "B", "C"]);
    expect(transactions).toHaveBeenCalledTimes(1);
    for (const hash of ["a", "b", "c"]) expect(await getToken(database.db, hash)).toBeDefined();
  });

  it("a change that cannot be written fails alone; the others are written", async () => {
    await insertToken(database.db, token("taken"));
    const results = await Promise.allSettled([
      queue.commit((trx) => insertToken(trx, token("first"))),
      queue.commit((trx) => insertToken(trx, token("taken"))),
      queue.commit(async () => {
        throw new Error("refused");
      }),
      queue.commit((trx) => insertToken(trx, token("last"))),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error("refused"));
    expect(await getToken(database.db, "first")).toBeDefined();
    expect(await getToken(database.db, "last")).toBeDefined();
  });

  it("changes asked for later get a commit of their own", async () => {
    const transactions = vi.spyOn(database.db, "transaction");
    await queue.commit((trx) => insertToken(trx, token("one")));
    await queue.commit((trx) => insertToken(trx, token("two")));
    expect(transactions).toHaveBeenCalledTimes(2);
  });
});

describe("StartRun calls that arrive together", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it("share one commit; one for a missing pipeline fails alone", async () => {
    h = await createHarness();
    await h.addPipeline("quick", [{ id: "only", command: "true" }]);
    const transactions = vi.spyOn(h.database.db, "transaction");
    const started = await Promise.allSettled([
      h.orchestrator.startRun("default", "quick", {}),
      h.orchestrator.startRun("default", "nowhere", {}),
      h.orchestrator.startRun("default", "quick", {}),
    ]);
    expect(started.map((s) => (s.status === "fulfilled" ? s.value.id : s.reason))).toEqual([
      1,
      new NotFoundError('pipeline "nowhere" in namespace "default" not found'),
      2,
    ]);
    // The shared attempt, then each change alone once it failed; nothing of the failed attempt was kept.
    expect(transactions.mock.calls.length).toBeGreaterThanOrEqual(4);
    for (const id of [1, 2]) expect((await h.orchestrator.waitForRun(ref("quick", id))).status).toBe("SUCCESSFUL");
    expect((await h.orchestrator.store.listRunRefs({ states: ["PENDING", "RUNNING", "COMPLETE"] })).length).toBe(2);
  });

  it("share one commit when they all succeed", async () => {
    h = await createHarness();
    await h.addPipeline("quick", [{ id: "only", command: "true" }]);
    const transactions = vi.spyOn(h.database.db, "transaction");
    const runs = await Promise.all([1, 2, 3].map(() => h.orchestrator.startRun("default", "quick", {})));
    expect(runs.map((run) => run.id)).toEqual([1, 2, 3]);
    expect(transactions.mock.calls.length).toBe(1);
  });
});
