// The independent check: bytes produced by the original Go code (testdata/vectors, README there) decode with our
// generated code to the values of their .json, and re-encode byte-exactly (all vectors have sorted map keys).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  Event,
  ExtensionInfoResponse,
  ExtensionSubscribeRequest,
  InstallTriggerRequest,
  type MessageFns,
  Pipeline,
  PipelineConfig,
  Run,
  RunV05,
  StartRunRequest,
  StartRunResponseV05,
  TaskRun,
  Trigger,
  TriggerExternalEventRequest,
  TriggerInfoResponse,
  TriggerSubscribeRequest,
  TriggerUnsubscribeRequest,
  TriggerWatchResponse,
} from "../src/index.js";
import { hex } from "./hand-wire.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const vectorsDir = join(repoRoot, "testdata", "vectors");

// File stem → the message type of the matching version (README §1-2).
const codecs: Record<string, MessageFns<unknown>> = {
  Event: Event,
  ExtensionInfoResponse: ExtensionInfoResponse,
  ExtensionSubscribeRequest: ExtensionSubscribeRequest,
  InstallTriggerRequest: InstallTriggerRequest,
  Pipeline: Pipeline,
  "Run-v04": Run,
  "Run-v05": RunV05,
  "StartRunRequest-v04": StartRunRequest,
  "StartRunRequest-v05": StartRunRequest,
  "StartRunResponse-v05": StartRunResponseV05,
  TaskRun: TaskRun,
  "TaskRun-common": TaskRun,
  Trigger: Trigger,
  TriggerExternalEventRequest: TriggerExternalEventRequest,
  TriggerInfoResponse: TriggerInfoResponse,
  TriggerSubscribeRequest: TriggerSubscribeRequest,
  TriggerUnsubscribeRequest: TriggerUnsubscribeRequest,
  TriggerWatchResponse: TriggerWatchResponse,
  "pipelineconfig-commonTask": PipelineConfig,
  "pipelineconfig-dag": PipelineConfig,
  "pipelineconfig-full": PipelineConfig,
  "pipelineconfig-simple": PipelineConfig,
  "pipelineconfig-trigger-workaround": PipelineConfig,
};

function vector(stem: string): { bin: Uint8Array; json: unknown } {
  return {
    bin: readFileSync(join(vectorsDir, `${stem}.bin`)),
    json: JSON.parse(readFileSync(join(vectorsDir, `${stem}.json`), "utf8")),
  };
}

describe(`golden vectors from the original Go code (${vectorsDir})`, () => {
  test("the vectors directory is present and intact (SHA256SUMS)", () => {
    expect(existsSync(vectorsDir), `missing ${vectorsDir}`).toBe(true);
    const sums = readFileSync(join(vectorsDir, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(sums.length).toBeGreaterThan(0);
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/);
      const actual = createHash("sha256")
        .update(readFileSync(join(vectorsDir, file ?? "")))
        .digest("hex");
      expect(actual, file).toBe(sum);
    }
  });

  test("every .bin vector has a codec here (none is silently skipped)", () => {
    const stems = readdirSync(vectorsDir)
      .filter((f) => f.endsWith(".bin"))
      .map((f) => f.slice(0, -4))
      .sort();
    expect(stems).toEqual(Object.keys(codecs).sort());
  });

  test.each(Object.entries(codecs))("%s decodes to its .json and re-encodes to the same bytes", (stem, codec) => {
    const { bin, json } = vector(stem);
    const decoded = codec.decode(bin);
    // fromJSON reads fields by proto name and decode reads them by number: they agree only if the numbers are right.
    expect(decoded).toEqual(codec.fromJSON(json));
    expect(hex(codec.encode(decoded).finish())).toBe(hex(bin));
  });

  test("the v0.5 StartRunRequest is the v0.4 bytes plus field 4", () => {
    const v04 = vector("StartRunRequest-v04").bin;
    const v05 = vector("StartRunRequest-v05").bin;
    expect(hex(v05.subarray(0, v04.length))).toBe(hex(v04));
    expect(StartRunRequest.decode(v04).initiator).toBeUndefined();
    expect(StartRunRequest.decode(v05).initiator?.name).toBe("interval (every_one_minute)");
  });

  test("a v0.5 Run read with the v0.4 layout is garbage, which is why v0.5 callers get RunV05", () => {
    const v05 = vector("Run-v05").bin;
    const misread = Run.decode(v05);
    const real = RunV05.decode(v05);
    expect(real.id).toBe(4294967311n);
    expect(misread.id).toBe(real.version);
    expect(misread.id).not.toBe(real.id);
  });

  test("the Extension and Trigger encodings of Subscribe and Info are identical", () => {
    expect(hex(vector("ExtensionSubscribeRequest").bin)).toBe(hex(vector("TriggerSubscribeRequest").bin));
    expect(hex(vector("ExtensionInfoResponse").bin)).toBe(hex(vector("TriggerInfoResponse").bin));
  });
});
