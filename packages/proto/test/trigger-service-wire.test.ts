import { describe, expect, test } from "vitest";
import {
  ExtensionExternalEventRequest,
  ExtensionExternalEventResponse,
  ExtensionInfoRequest,
  ExtensionInfoResponse,
  ExtensionShutdownRequest,
  ExtensionShutdownResponse,
  ExtensionSubscribeRequest,
  ExtensionSubscribeResponse,
  ExtensionUnsubscribeRequest,
  ExtensionUnsubscribeResponse,
  type MessageFns,
  TriggerExternalEventRequest,
  TriggerExternalEventResponse,
  TriggerInfoRequest,
  TriggerInfoResponse,
  TriggerShutdownRequest,
  TriggerShutdownResponse,
  TriggerSubscribeRequest,
  TriggerSubscribeResponse,
  TriggerUnsubscribeRequest,
  TriggerUnsubscribeResponse,
  TriggerWatchRequest,
  TriggerWatchResponse,
  TriggerWatchResponse_Result,
} from "../src/index.js";
import { bytes, entry, hex, num, raw, str } from "./hand-wire.js";

function expectWire<T>(codec: MessageFns<T>, value: T, expected: Uint8Array): void {
  expect(hex(codec.encode(value).finish())).toBe(hex(expected));
  expect(codec.decode(expected)).toEqual(value);
}

describe("TriggerService messages (spec §1.2)", () => {
  test("TriggerWatchResponse: fields 1-6, Result enum numbered SUCCESS=1 FAILURE=2 SKIPPED=3", () => {
    for (const [result, number] of [
      [TriggerWatchResponse_Result.SUCCESS, 1],
      [TriggerWatchResponse_Result.FAILURE, 2],
      [TriggerWatchResponse_Result.SKIPPED, 3],
    ] as const) {
      expectWire(
        TriggerWatchResponse,
        {
          details: "d",
          namespaceId: "ns",
          pipelineId: "pl",
          pipelineTriggerLabel: "lab",
          result,
          metadata: { A: "1", B: "2" },
        },
        bytes(
          str(1, "d"),
          str(2, "ns"),
          str(3, "pl"),
          str(4, "lab"),
          num(5, number),
          entry(6, "A", str(2, "1")),
          entry(6, "B", str(2, "2")),
        ),
      );
    }
  });

  test("TriggerInfoResponse: name 1, documentation 2, registered 3 (repeated)", () => {
    expectWire(
      TriggerInfoResponse,
      { name: "interval", documentation: "doc", registered: ["a/b", "c/d"] },
      bytes(str(1, "interval"), str(2, "doc"), str(3, "a/b"), str(3, "c/d")),
    );
  });

  test("TriggerSubscribeRequest: namespace 1, pipeline 2, label 3, config map 4", () => {
    expectWire(
      TriggerSubscribeRequest,
      { namespaceId: "ns", pipelineId: "pl", pipelineTriggerLabel: "lab", config: { EVERY: "1m" } },
      bytes(str(1, "ns"), str(2, "pl"), str(3, "lab"), entry(4, "EVERY", str(2, "1m"))),
    );
  });

  test("TriggerUnsubscribeRequest: namespace 1, pipeline 2, label 3", () => {
    expectWire(
      TriggerUnsubscribeRequest,
      { namespaceId: "ns", pipelineId: "pl", pipelineTriggerLabel: "lab" },
      bytes(str(1, "ns"), str(2, "pl"), str(3, "lab")),
    );
  });

  test("TriggerExternalEventRequest: payload bytes at 1, kept byte-exact", () => {
    const payload = [...Buffer.from("POST / HTTP/1.1\r\n\r\n"), 0x00, 0xff, 0x80];
    expectWire(TriggerExternalEventRequest, { payload: Buffer.from(payload) }, bytes(raw(1, payload)));
  });

  test.each([
    ["TriggerWatchRequest", TriggerWatchRequest],
    ["TriggerInfoRequest", TriggerInfoRequest],
    ["TriggerSubscribeResponse", TriggerSubscribeResponse],
    ["TriggerUnsubscribeResponse", TriggerUnsubscribeResponse],
    ["TriggerShutdownRequest", TriggerShutdownRequest],
    ["TriggerShutdownResponse", TriggerShutdownResponse],
    ["TriggerExternalEventResponse", TriggerExternalEventResponse],
  ] as const)("%s is empty", (_name, codec: MessageFns<object>) => {
    expect(Object.keys(codec.fromPartial({}))).toEqual([]);
    expect(codec.encode(codec.fromPartial({})).finish()).toHaveLength(0);
  });
});

describe("ExtensionService messages (spec §5.1): same numbers as TriggerService", () => {
  test("ExtensionSubscribeRequest encodes exactly like TriggerSubscribeRequest", () => {
    const expected = bytes(str(1, "ns"), str(2, "pl"), str(3, "lab"), entry(4, "EVERY", str(2, "1m")));
    expectWire(
      ExtensionSubscribeRequest,
      { namespaceId: "ns", pipelineId: "pl", pipelineExtensionLabel: "lab", config: { EVERY: "1m" } },
      expected,
    );
  });

  test("ExtensionUnsubscribeRequest: namespace 1, pipeline 2, label 3", () => {
    expectWire(
      ExtensionUnsubscribeRequest,
      { namespaceId: "ns", pipelineId: "pl", pipelineExtensionLabel: "lab" },
      bytes(str(1, "ns"), str(2, "pl"), str(3, "lab")),
    );
  });

  test("ExtensionInfoResponse: name 1, documentation 2, registered 3", () => {
    expectWire(
      ExtensionInfoResponse,
      { name: "interval", documentation: "doc", registered: ["a/b"] },
      bytes(str(1, "interval"), str(2, "doc"), str(3, "a/b")),
    );
  });

  test("ExtensionExternalEventRequest: payload bytes at 1", () => {
    expectWire(ExtensionExternalEventRequest, { payload: Buffer.from([1, 2, 255]) }, bytes(raw(1, [1, 2, 255])));
  });

  test.each([
    ["ExtensionInfoRequest", ExtensionInfoRequest],
    ["ExtensionSubscribeResponse", ExtensionSubscribeResponse],
    ["ExtensionUnsubscribeResponse", ExtensionUnsubscribeResponse],
    ["ExtensionShutdownRequest", ExtensionShutdownRequest],
    ["ExtensionShutdownResponse", ExtensionShutdownResponse],
    ["ExtensionExternalEventResponse", ExtensionExternalEventResponse],
  ] as const)("%s is empty", (_name, codec: MessageFns<object>) => {
    expect(Object.keys(codec.fromPartial({}))).toEqual([]);
    expect(codec.encode(codec.fromPartial({})).finish()).toHaveLength(0);
  });
});
