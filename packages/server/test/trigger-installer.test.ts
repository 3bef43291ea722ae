// The installer's output as the engine gives it: only the last non-empty line counts, and an output that the engine's
// first read missed (Docker can end the follow of a container that exits at once before its output is copied) is
// read again once the container has exited.
import { expect, test } from "vitest";
import { FailedPreconditionError } from "../src/errors.js";
import type { Scheduler } from "../src/scheduler/scheduler.js";
import { runInstaller } from "../src/triggers/trigger-installer.js";

const INSTRUCTIONS = JSON.stringify({ instructions: [{ message: { text: "hello" } }] });

/** An engine whose successive reads of the container's output hand out reads[0], reads[1], … */
function engine(reads: string[][]) {
  const removed: string[] = [];
  let read = 0;
  const scheduler = {
    start: async () => ({ id: "c1" }),
    async *logs() {
      for (const line of reads[read++] ?? []) yield line;
    },
    wait: async () => ({ exitCode: 0 }),
    remove: async (id: string) => {
      removed.push(id);
    },
  } as unknown as Scheduler;
  return { scheduler, removed, reads: () => read };
}

const tls = { certPem: "cert", keyPem: "key" } as Parameters<typeof runInstaller>[1];

test("instructions the first read missed are read once the container has exited", async () => {
  const { scheduler, removed, reads } = engine([[], ["a log line", INSTRUCTIONS]]);
  expect(await runInstaller(scheduler, tls, "info", { image: "img" })).toBe(INSTRUCTIONS);
  expect(reads()).toBe(2);
  expect(removed).toEqual(["c1"]);
});

test("an installer that printed its instructions is read once", async () => {
  const { scheduler, reads } = engine([[INSTRUCTIONS, ""]]);
  expect(await runInstaller(scheduler, tls, "info", { image: "img" })).toBe(INSTRUCTIONS);
  expect(reads()).toBe(1);
});

test("an installer that prints nothing is refused, naming the image, and its container removed", async () => {
  const { scheduler, removed } = engine([[], []]);
  const failure = runInstaller(scheduler, tls, "info", { image: "img" });
  await expect(failure).rejects.toBeInstanceOf(FailedPreconditionError);
  await expect(failure).rejects.toThrow('installer of image "img" printed no valid instructions');
  expect(removed).toEqual(["c1"]);
});
