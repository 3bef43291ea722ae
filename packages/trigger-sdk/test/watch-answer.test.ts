// A Watch answer's bytes through the reused writer are exactly the generated encoder's with a fresh writer, answer
// after answer, whatever came before.
import { TriggerWatchResponse } from "@gofer/proto/transport";
import { describe, expect, test } from "vitest";
import type { TriggerEvent } from "../src/trigger.js";
import { encodeWatchAnswer, toWatchResponse } from "../src/watch-answer.js";

const key = { namespaceId: "ns", pipelineId: "p1", label: "every" };
const events: TriggerEvent[] = [
  { key, result: "SUCCESS", details: "Triggered due to the passage of time.", metadata: {} },
  { key, result: "FAILURE", details: "", metadata: { a: "1", ü: "ß€", empty: "" } },
  { key: { namespaceId: "", pipelineId: "", label: "" }, result: "SKIPPED", details: "x", metadata: {} },
  { key, result: "SUCCESS", details: "big", metadata: { blob: "z".repeat(100_000) } },
  { key, result: "SUCCESS", details: "after the big one", metadata: { k: "v" } },
];

describe("Watch answers", () => {
  test("are the generated encoder's bytes, and an answer is not changed by the next one", () => {
    const answers = events.map((event) => encodeWatchAnswer(event));
    answers.forEach((bytes, i) => {
      const event = events[i] as TriggerEvent;
      expect(Buffer.from(bytes).equals(TriggerWatchResponse.encode(toWatchResponse(event)).finish())).toBe(true);
      expect(TriggerWatchResponse.decode(bytes)).toEqual(toWatchResponse(event));
    });
  });
});
