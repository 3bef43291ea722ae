// Three servers on one Postgres database (issue 21): the interval trigger runs on the one replica holding its lease;
// kill -9 that replica and, once its lease has run out, another takes the trigger, restores the subscriptions and the
// runs go on. Over the whole run every pipeline's run numbers are 1…n, none twice and none skipped, and the event log
// shows who held the trigger when. Bounded: a fixed number of pipelines, waits with timeouts, every child killed after.
import { expect, test, vi } from "vitest";
import { eventsOf, holders, installIntervalOn, type LoggedEvent, ReplicaSet, runsOf } from "./replica-harness.js";
import { intervalPipeline } from "./server-harness.js";
import { describePostgres } from "./storage-engines.js";
import { usePostgresCluster } from "./temp-database.js";

// Short for a quick takeover, long enough that a loaded machine does not make a live holder miss its renewals.
const LEASE_MS = 4_000;
const PIPELINES = Number(process.env.GOFER_REPLICA_TEST_PIPELINES ?? 50);
const EVERY = "1s";
// Waits are bounds for a loaded machine (2 cores shared with other suites), not expectations of speed.
const WAIT = { timeout: 60_000, interval: 250 };

describePostgres("three replicas", () => {
  const postgres = usePostgresCluster();

  test(`share ${PIPELINES} interval pipelines; a replica killed with its triggers hands them on`, {
    timeout: 240_000,
  }, async () => {
    const url = await postgres.cluster.createDatabase({ empty: true });
    const set = new ReplicaSet(url, LEASE_MS);
    try {
      const [a, b, c] = [await set.add(), await set.add(), await set.add()];
      if (!a || !b || !c) throw new Error("three replicas expected");
      const byId = new Map(set.replicas.map((replica) => [replica.instanceId, replica]));
      expect(byId.size).toBe(3); // each has an id of its own, though they share the database

      await installIntervalOn(a);
      const first = await vi.waitFor(async () => {
        const [took] = holders(await eventsOf(b));
        expect(took).toBeDefined();
        return took as LoggedEvent;
      }, WAIT);
      const holder = byId.get(String(first.details.replica));
      expect(holder).toBeDefined();
      // Pipelines go in through every replica: the API answers on each, and the holder subscribes them all.
      const ids = Array.from({ length: PIPELINES }, (_, i) => `p${i}`);
      for (const [i, id] of ids.entries()) {
        const through = set.replicas[i % 3] ?? a;
        await through.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline(id, EVERY) });
      }
      await vi.waitFor(async () => {
        for (const id of ids) expect((await runsOf(b, id)).length).toBeGreaterThanOrEqual(2);
      }, WAIT);

      await holder?.kill("SIGKILL");
      // Dead by now (kill waits for the exit), so any lease it renewed runs out by deadAt + LEASE_MS. Read before the
      // kill, a renewal in the few ms before the signal landed failed this check once in CI.
      const deadAt = Date.now();
      const survivor = set.replicas.find((replica) => replica !== holder) ?? a;
      const next = await vi.waitFor(
        async () => {
          const took = holders(await eventsOf(survivor)).at(-1);
          expect(took?.details.previous).toBe(holder?.instanceId);
          return took as LoggedEvent;
        },
        { timeout: LEASE_MS * 2 + WAIT.timeout, interval: 100 },
      );
      // Never before the dead holder's lease ran out: the trigger never ran on two replicas at once.
      expect(next.emitted).toBeGreaterThanOrEqual(Number(next.details.previous_expired));
      expect(Number(next.details.previous_expired)).toBeLessThanOrEqual(deadAt + LEASE_MS);
      const newHolder = byId.get(String(next.details.replica));
      expect(newHolder).toBeDefined();
      expect(newHolder).not.toBe(holder);

      // The subscriptions came back: every pipeline gets runs from events fired after the takeover.
      await vi.waitFor(async () => {
        for (const id of ids) {
          const runs = await runsOf(survivor, id);
          expect(runs.some((run) => Number(run.started) > next.emitted)).toBe(true);
        }
      }, WAIT);

      for (const id of ids) {
        const numbers = (await runsOf(survivor, id)).map((run) => Number(run.id)).sort((x, y) => x - y);
        expect(numbers, id).toEqual(numbers.map((_, i) => i + 1));
      }
      const log = holders(await eventsOf(survivor));
      expect(log.map((e) => e.details.replica)).toEqual([first.details.replica, next.details.replica]);
    } finally {
      await set.stopAll();
    }
  });
});
