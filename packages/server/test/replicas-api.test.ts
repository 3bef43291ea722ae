// Two servers in this process on one Postgres database: trigger changes made through the replica that does not hold
// the trigger reach the one that does (disable stops it there, enable starts it again wherever the lease goes), and a
// pipeline created through either gets runs.
import { expect, test, vi } from "vitest";
import { intervalPipeline, type TestServer } from "./server-harness.js";
import { describePostgres } from "./storage-engines.js";
import { usePostgresCluster } from "./temp-database.js";
import { EVERY, events, installInterval, runsOf, serversPerTest, WAIT } from "./trigger-runtime-harness.js";

describePostgres("two replicas in one process", () => {
  const postgres = usePostgresCluster();
  const start = serversPerTest();

  /** The replica whose runtime runs the trigger now, once one does. */
  async function holderOf(replicas: TestServer[], name = "interval"): Promise<TestServer> {
    return vi.waitFor(async () => {
      const running = [];
      for (const replica of replicas) {
        const view = await replica.server.triggers.get(name);
        if (view.state === "RUNNING") running.push(replica);
      }
      expect(running).toHaveLength(1);
      return running[0] as TestServer;
    }, WAIT);
  }

  test("disable, enable and pipelines through the replica that does not hold the trigger", async () => {
    const url = await postgres.cluster.createDatabase({ empty: true });
    const set = { "server.storage_engine": "postgres", "server.storage_url": url, "server.replica_lease": "1500ms" };
    const a = await start({ set });
    const b = await start({ set });
    await installInterval(a);
    const holder = await holderOf([a, b]);
    const other = holder === a ? b : a;

    await other.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: intervalPipeline("through-other", EVERY),
    });
    await vi.waitFor(async () => expect((await runsOf(holder, "through-other")).length).toBeGreaterThan(0), WAIT);

    await other.api.disableTrigger({ name: "interval" });
    await vi.waitFor(async () => {
      expect((await holder.server.triggers.get("interval")).state).not.toBe("RUNNING");
      const left = (await events(other)).filter((e) => e.kind === "LEFT_TRIGGER");
      expect(left.map((e) => [e.details.replica, e.details.reason])).toContainEqual([
        holder.server.instanceId,
        "disabled or uninstalled",
      ]);
    }, WAIT);

    await other.api.enableTrigger({ name: "interval" });
    const next = await holderOf([a, b]);
    const before = (await runsOf(next, "through-other")).length;
    await vi.waitFor(async () => expect((await runsOf(next, "through-other")).length).toBeGreaterThan(before), WAIT);
    const took = (await events(next)).filter((e) => e.kind === "TOOK_TRIGGER").map((e) => e.details.replica);
    expect(took).toEqual([holder.server.instanceId, next.server.instanceId]);
  });
});
