// What `gofer pipeline create` reads from a program's stdout (load-pipeline-config.ts): the original Go SDK's exact
// output decodes to its config, and anything else fails with what to do about it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { decodePipelineConfig } from "../src/pipeline-config/load-pipeline-config.js";
import { VECTORS_DIR } from "./cli-harness.js";

test.each(["dag", "commonTask", "simple", "trigger-workaround", "full"])("the Go SDK's output %s decodes", (stem) => {
  const bytes = new Uint8Array(readFileSync(join(VECTORS_DIR, `pipelineconfig-${stem}.bin`)));
  const expected = JSON.parse(readFileSync(join(VECTORS_DIR, `pipelineconfig-${stem}.json`), "utf8"));
  const config = decodePipelineConfig(bytes, stem);
  expect(config).toMatchObject({ id: expected.id, name: expected.name });
  expect(config.tasks).toHaveLength(expected.tasks.length);
  expect(config.triggers).toHaveLength(expected.triggers?.length ?? 0);
});

test("empty output says nothing was printed", () => {
  expect(() => decodePipelineConfig(new Uint8Array(), "the output of the program in /p")).toThrow(
    "the output of the program in /p is empty: no PipelineConfig was printed",
  );
});

test("a log line printed on stdout is not taken for a config", () => {
  const text = new TextEncoder().encode("Building pipeline...\n");
  expect(() => decodePipelineConfig(text, "the output")).toThrow(
    /^the output (is not a protobuf PipelineConfig|does not decode)/,
  );
});
