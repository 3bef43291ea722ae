// Encode/decode throughput of the generated code for the messages on the hot path of one event: the Watch response a
// trigger returns and the PipelineConfig an SDK program emits.
import { PipelineConfig, TriggerWatchResponse, TriggerWatchResponse_Result } from "@gofer/proto";
import { printTable, type Row } from "./report.js";

const watch = TriggerWatchResponse.fromPartial({
  details: "Triggered due to the passage of time.",
  namespaceId: "default",
  pipelineId: "simple",
  pipelineTriggerLabel: "every_minute",
  result: TriggerWatchResponse_Result.SUCCESS,
  metadata: { GOFER_TRIGGER_SCHEDULED_AT: "2026-11-21T12:00:00Z" },
});

const config = PipelineConfig.fromPartial({
  id: "simple",
  name: "Simple",
  description: "a pipeline with three tasks and one trigger",
  tasks: ["a", "b", "c"].map((id) => ({
    task: {
      $case: "customTask" as const,
      value: {
        id,
        image: "ubuntu:latest",
        command: ["echo", id],
        variables: { LOGS_HEADER: "x" },
        dependsOn: {},
        entrypoint: [],
        description: "",
        registryAuth: undefined,
      },
    },
  })),
  triggers: [{ name: "interval", label: "every_minute", settings: { EVERY: "1m" } }],
});

function measure(name: string, fn: () => void, iterations: number): Row {
  for (let i = 0; i < 10_000; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    operation: name,
    iterations,
    "ops/s": Math.round(iterations / seconds),
    "µs/op": (seconds / iterations) * 1e6,
  };
}

const watchBytes = TriggerWatchResponse.encode(watch).finish();
const configBytes = PipelineConfig.encode(config).finish();
printTable("Generated codec throughput (one core)", [
  measure("TriggerWatchResponse encode", () => TriggerWatchResponse.encode(watch).finish(), 200_000),
  measure("TriggerWatchResponse decode", () => TriggerWatchResponse.decode(watchBytes), 200_000),
  measure("PipelineConfig encode", () => PipelineConfig.encode(config).finish(), 50_000),
  measure("PipelineConfig decode", () => PipelineConfig.decode(configBytes), 50_000),
]);
