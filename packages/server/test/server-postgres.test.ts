// A whole server on Postgres (server.storage_engine = postgres): the interval trigger on the process engine fires,
// runs are recorded under dense numbers, and a server started again on the same database carries on from them.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Run_RunState, Run_RunStatus } from "@gofer/proto";
import { expect, test, vi } from "vitest";
import { intervalPipeline } from "./server-harness.js";
import { describePostgres } from "./storage-engines.js";
import { usePostgresCluster } from "./temp-database.js";
import { EVERY, events, installInterval, runsOf, serversPerTest, WAIT } from "./trigger-runtime-harness.js";

describePostgres("a whole server", () => {
  const postgres = usePostgresCluster();
  const start = serversPerTest();

  test("records the interval trigger's runs as 1, 2, 3… and a restarted server continues the numbering", async () => {
    const url = await postgres.cluster.createDatabase({ empty: true });
    const set = { "server.storage_engine": "postgres", "server.storage_url": url };
    const first = await start({ set });
    await installInterval(first);
    await first.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("simple", EVERY) });
    await vi.waitFor(async () => {
      const runs = await runsOf(first, "simple");
      expect(runs.filter((run) => run.status === Run_RunStatus.SUCCESSFUL).length).toBeGreaterThanOrEqual(2);
    }, WAIT);
    expect((await events(first)).map((e) => e.kind)).toContain("FIRED_TRIGGER_EVENT");
    await first.stop();
    expect(existsSync(join(first.dir, "gofer.db"))).toBe(false);

    // A data directory of its own: the runs it finds can only have come from Postgres.
    const second = await start({ set });
    const seen = (await runsOf(second, "simple")).length;
    expect(seen).toBeGreaterThanOrEqual(2);
    const runs = await vi.waitFor(async () => {
      const all = await runsOf(second, "simple");
      expect(all.length).toBeGreaterThanOrEqual(seen + 2);
      return all;
    }, WAIT);
    const ids = runs.map((run) => Number(run.id)).sort((a, b) => a - b);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(runs.every((run) => run.trigger?.name === "interval")).toBe(true);
    expect(runs.some((run) => run.state === Run_RunState.COMPLETE)).toBe(true);
  });
});
