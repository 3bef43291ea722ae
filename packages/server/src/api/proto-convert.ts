// Conversions between proto messages and the server's own types. Proto types stop here: everything behind api/
// works on rows and domain types. Enums convert by name.
import {
  CustomTask_RequiredParentStatus,
  Pipeline_ErrorKind,
  Pipeline_PipelineState,
  PipelineCommonTaskSettings_RequiredParentStatus,
  type PipelineConfig,
  Event as ProtoEvent,
  Namespace as ProtoNamespace,
  Pipeline as ProtoPipeline,
  Token as ProtoToken,
  Trigger as ProtoTrigger,
  Token_Kind,
  Trigger_TriggerState,
  Trigger_TriggerStatus,
} from "@gofer/proto";
import type { PipelineConfigInput } from "../pipelines/pipeline-config.js";
import type { StoredPipeline } from "../storage/pipeline-repository.js";
import type { EventRow, NamespaceRow } from "../storage/schema.js";
import type { TriggerView } from "../triggers/registration.js";

const big = (n: number | null | undefined): bigint => BigInt(Math.trunc(n ?? 0));

export function toProtoNamespace(row: NamespaceRow): ProtoNamespace {
  return ProtoNamespace.fromPartial({
    id: row.id,
    name: row.name,
    description: row.description,
    created: big(row.created),
    modified: big(row.modified),
  });
}

const PARENT_STATUS: Record<string, CustomTask_RequiredParentStatus> = {
  ANY: CustomTask_RequiredParentStatus.ANY,
  SUCCESS: CustomTask_RequiredParentStatus.SUCCESS,
  FAILURE: CustomTask_RequiredParentStatus.FAILURE,
};

export function toProtoPipeline(stored: StoredPipeline): ProtoPipeline {
  const { pipeline } = stored;
  return ProtoPipeline.fromPartial({
    namespace: pipeline.namespace_id,
    id: pipeline.id,
    name: pipeline.name,
    description: pipeline.description,
    parallelism: big(pipeline.parallelism),
    created: big(pipeline.created),
    modified: big(pipeline.modified),
    state: pipeline.state === "ACTIVE" ? Pipeline_PipelineState.ACTIVE : Pipeline_PipelineState.DISABLED,
    customTasks: Object.fromEntries(
      stored.tasks.map((task) => [
        task.id,
        {
          id: task.id,
          description: task.description,
          image: task.image,
          registryAuth: task.registry_auth ? { ...task.registry_auth } : undefined,
          dependsOn: Object.fromEntries(Object.entries(task.depends_on).map(([k, v]) => [k, PARENT_STATUS[v] ?? 0])),
          variables: task.variables.map((v) => ({ ...v })),
          entrypoint: [...(task.entrypoint ?? [])],
          command: [...(task.command ?? [])],
        },
      ]),
    ),
    triggers: Object.fromEntries(
      stored.subscriptions.map((s) => [s.label, { name: s.trigger_name, label: s.label, settings: { ...s.settings } }]),
    ),
    commonTasks: Object.fromEntries(
      (stored.commonTasks ?? []).map((task) => [
        task.label,
        {
          name: task.name,
          label: task.label,
          description: task.description,
          dependsOn: Object.fromEntries(
            Object.entries(task.depends_on).map(([k, v]) => [k, PipelineCommonTaskSettings_RequiredParentStatus[v]]),
          ),
          settings: { ...task.settings },
        },
      ]),
    ),
    errors: pipeline.errors.map((e) => ({
      kind:
        e.kind === "TRIGGER_SUBSCRIPTION_FAILURE"
          ? Pipeline_ErrorKind.TRIGGER_SUBSCRIPTION_FAILURE
          : Pipeline_ErrorKind.ERROR_KIND_UNKNOWN,
      description: e.description,
    })),
  });
}

/** PipelineConfig as the original SDK programs emit it → the validator's input. */
export function fromProtoPipelineConfig(config: PipelineConfig): PipelineConfigInput {
  return {
    id: config.id,
    name: config.name,
    description: config.description,
    parallelism: config.parallelism,
    tasks: config.tasks.map((entry) => {
      const task = entry.task;
      if (task?.$case === "customTask") {
        const t = task.value;
        return {
          kind: "custom" as const,
          task: {
            id: t.id,
            description: t.description,
            image: t.image,
            registryAuth: t.registryAuth,
            dependsOn: { ...t.dependsOn },
            variables: { ...t.variables },
            entrypoint: [...t.entrypoint],
            command: [...t.command],
          },
        };
      }
      if (task?.$case === "commonTask") {
        const t = task.value;
        return {
          kind: "common" as const,
          task: {
            name: t.name,
            label: t.label,
            description: t.description,
            dependsOn: { ...t.dependsOn },
            settings: { ...t.settings },
          },
        };
      }
      return { kind: "empty" as const };
    }),
    triggers: config.triggers.map((t) => ({ name: t.name, label: t.label, settings: { ...t.settings } })),
  };
}

const TRIGGER_STATE: Record<TriggerView["state"], Trigger_TriggerState> = {
  PROCESSING: Trigger_TriggerState.PROCESSING,
  RUNNING: Trigger_TriggerState.RUNNING,
  EXITED: Trigger_TriggerState.EXITED,
  UNKNOWN: Trigger_TriggerState.UNKNOWN_STATE,
};

export function toProtoTrigger(view: TriggerView): ProtoTrigger {
  return ProtoTrigger.fromPartial({
    name: view.name,
    image: view.image,
    url: view.url,
    started: big(view.started),
    state: TRIGGER_STATE[view.state],
    status: view.status === "ENABLED" ? Trigger_TriggerStatus.ENABLED : Trigger_TriggerStatus.DISABLED,
    documentation: view.documentation,
    kind: view.kind === "extension" ? "extension" : "",
  });
}

export function toProtoEvent(
  row: EventRow | { id: number; kind: string; details: unknown; emitted: number },
): ProtoEvent {
  return ProtoEvent.fromPartial({
    id: big(row.id),
    kind: row.kind,
    details: typeof row.details === "string" ? row.details : JSON.stringify(row.details),
    emitted: big(row.emitted),
  });
}

export interface TokenDetailsLike {
  created: number;
  kind: "MANAGEMENT" | "CLIENT";
  namespaces: readonly string[];
  metadata: Readonly<Record<string, string>>;
  expires: number | null;
  disabled: boolean;
}

export function toProtoToken(details: TokenDetailsLike): ProtoToken {
  return ProtoToken.fromPartial({
    created: big(details.created),
    kind: details.kind === "MANAGEMENT" ? Token_Kind.MANAGEMENT : Token_Kind.CLIENT,
    namespaces: [...details.namespaces],
    metadata: { ...details.metadata },
    expires: big(details.expires ?? 0),
    disabled: details.disabled,
  });
}
