// The server's steps (lifecycle.ts): stops run in reverse start order, each logged with its duration; a stop that
// fails is logged and the rest still run; a stop past its mark in the shutdown budget is cut short and its onLate runs.

import { Writable } from "node:stream";
import { FakeClock } from "@gofer/kernel";
import { describe, expect, it } from "vitest";
import winston from "winston";
import { Lifecycle } from "../src/lifecycle.js";

function setup() {
  const clock = new FakeClock();
  // Formats run as each line is logged: the entries are there when the call returns.
  const memory = { entries: [] as Array<Record<string, unknown>> };
  const keep = winston.format((info) => {
    memory.entries.push({ ...info });
    return info;
  });
  const nowhere = new Writable({ objectMode: true, write: (_chunk, _encoding, done) => done() });
  const logger = winston.createLogger({
    level: "debug",
    format: keep(),
    transports: [new winston.transports.Stream({ stream: nowhere })],
  });
  return { clock, memory, life: new Lifecycle({ clock, logger, shutdownTimeoutMs: 1_000 }) };
}

describe("Lifecycle", () => {
  it("starts steps in order, timed, and stops the started ones in reverse, a failing stop not stopping the rest", async () => {
    const { clock, memory, life } = setup();
    const order: string[] = [];
    await life.step("a", () => order.push("start a"), { name: "a stopped", run: () => void order.push("stop a") });
    const b = await life.step(
      "b",
      async () => {
        await clock.advance(5);
        return "value of b";
      },
      {
        name: "b stopped",
        run: (value, stopping) => {
          order.push(`stop b with ${value} (${stopping.reason})`);
          throw new Error("b refuses");
        },
      },
    );
    await life.step("c", () => order.push("start c"));
    expect(b).toBe("value of b");
    await Promise.all([life.stop("test"), life.stop("again")]);
    expect(order).toEqual(["start a", "start c", "stop b with value of b (test)", "stop a"]);
    const steps = memory.entries.filter((e) => "step" in e).map((e) => [e.message, e.step, e.ms]);
    expect(steps).toEqual([
      ["start: a", "a", 0],
      ["start: b", "b", 5],
      ["start: c", "c", 0],
      ["shutdown step failed: b stopped", "b stopped", undefined],
      ["shutdown: b stopped", "b stopped", 0],
      ["shutdown: a stopped", "a stopped", 0],
    ]);
  });

  it("cuts a stop short at its mark of the budget, runs its onLate, and gives later stops the budget left", async () => {
    const { clock, memory, life } = setup();
    const marks: number[] = [];
    let late = false;
    await life.step("slow", () => undefined, {
      name: "slow stopped",
      by: 1,
      run: (_, { until }) => {
        marks.push(until(1));
        return new Promise(() => {}); // never ends by itself: cut short at the end of the budget
      },
    });
    await life.step("quick", () => undefined, {
      name: "quick stopped",
      by: 0.2,
      run: (_, { until }) => {
        marks.push(until(0.2));
        return new Promise(() => {});
      },
      onLate: () => {
        late = true;
      },
    });
    const stopping = life.stop("test");
    await clock.waitForSleepers(1);
    await clock.advance(200);
    expect(late).toBe(true);
    expect(marks).toEqual([200, 800]);
    expect(
      memory.entries.some((e) => e.message === "shutdown: quick stopped cut short to stay within shutdown_timeout"),
    ).toBe(true);
    await clock.advance(800);
    await stopping;
    expect(memory.entries.filter((e) => e.message === "shutdown: slow stopped").map((e) => e.ms)).toEqual([800]);
  });
});
