// PipelineConfig → the bytes of proto.PipelineConfig (v0.4.1 field numbers, spec §1.5). Map entries are written in
// sorted key order, so the output is canonical and equals the Go SDK's for the same pipeline (vectors README §1).
import type { CommonTaskConfig, CustomTaskConfig, PipelineConfig, RequiredParentStatus } from "./pipeline-config.js";
import { ProtobufWriter, sortedEntries } from "./protobuf-writer.js";

const PARENT_STATUS_NUMBER: Record<RequiredParentStatus, number> = { ANY: 1, SUCCESS: 2, FAILURE: 3 };

export function encodePipelineConfig(config: PipelineConfig): Uint8Array {
  const writer = new ProtobufWriter()
    .stringField(1, config.id)
    .stringField(2, config.name)
    .stringField(3, config.description)
    .varintField(4, config.parallelism);
  for (const task of config.tasks) {
    // PipelineTaskConfig: oneof task { custom_task = 1; common_task = 2; }
    writer.messageField(5, (w) => {
      if (task.kind === "custom") w.messageField(1, (t) => writeCustomTask(t, task));
      else w.messageField(2, (t) => writeCommonTask(t, task));
    });
  }
  for (const trigger of config.triggers) {
    writer.messageField(6, (w) => {
      w.stringField(1, trigger.name).stringField(2, trigger.label);
      writeStringMap(w, 3, trigger.settings);
    });
  }
  return writer.finish();
}

function writeCustomTask(w: ProtobufWriter, task: CustomTaskConfig): void {
  w.stringField(1, task.id).stringField(2, task.description).stringField(3, task.image);
  const auth = task.registryAuth;
  if (auth) w.messageField(4, (a) => a.stringField(1, auth.user).stringField(2, auth.pass));
  writeDependsOn(w, 5, task.dependsOn);
  writeStringMap(w, 6, task.variables);
  for (const arg of task.entrypoint) w.stringFieldAlways(7, arg);
  for (const arg of task.command) w.stringFieldAlways(8, arg);
}

function writeCommonTask(w: ProtobufWriter, task: CommonTaskConfig): void {
  w.stringField(1, task.name).stringField(2, task.label).stringField(3, task.description);
  writeDependsOn(w, 4, task.dependsOn);
  writeStringMap(w, 5, task.settings);
}

// A map entry always carries both key (1) and value (2), even a zero one, as protobuf-go writes them.
function writeStringMap(w: ProtobufWriter, field: number, map: Readonly<Record<string, string>>): void {
  for (const [key, value] of sortedEntries(map)) {
    w.messageField(field, (e) => e.stringFieldAlways(1, key).stringFieldAlways(2, value));
  }
}

function writeDependsOn(w: ProtobufWriter, field: number, map: Readonly<Record<string, RequiredParentStatus>>): void {
  for (const [key, status] of sortedEntries(map)) {
    w.messageField(field, (e) => {
      e.stringFieldAlways(1, key);
      e.varintField(2, PARENT_STATUS_NUMBER[status]);
    });
  }
}
