// The process engine forgets old exited processes (each held its ChildProcess, pipes and output: the per-run leak):
// it keeps the last keepExited, and never one that a logs() reader still follows.
import { FakeClock } from "@gofer/kernel";
import { describe, expect, test } from "vitest";
import { createLogger } from "winston";
import { ProcessScheduler } from "../src/scheduler/process-scheduler.js";

describe("process engine retention", () => {
  test("keeps the last keepExited exited processes and forgets older ones", async () => {
    const engine = new ProcessScheduler({
      imageMap: {},
      clock: new FakeClock(),
      logger: createLogger({ silent: true }),
      keepExited: 3,
    });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { id } = await engine.start({ name: `t${i}`, image: "img", env: {}, command: ["true"], labels: {} });
      await engine.wait(id);
      ids.push(id);
    }
    const states = await Promise.all(ids.map(async (id) => (await engine.inspect(id)).state));
    expect(states).toEqual(["unknown", "unknown", "unknown", "exited", "exited", "exited"]);
  });
});
