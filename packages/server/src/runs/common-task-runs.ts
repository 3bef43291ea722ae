// How a pipeline's common task becomes a task run (spec §9.4, §9.5). Its settings reach the container as
// GOFER_PLUGIN_PARAM_<KEY> (a key that already has the prefix, as the Go SDK writes them, keeps it; the original
// added none, so settings written bare never reached the task under the name its SDK reads). The registration's
// install config is added at start as GOFER_PLUGIN_CONFIG_<KEY>, source SYSTEM (global secrets allowed), and is not
// stored with the task run, so namespace users never see an admin's config values. The image runs its usual
// `./commontask task`.

import type { Kysely } from "kysely";
import { getCommonTaskRegistration } from "../storage/common-task-repository.js";
import type { PipelineCommonTaskRow, Schema, TaskRecord, VariableRecord } from "../storage/schema.js";

export const PARAM_PREFIX = "GOFER_PLUGIN_PARAM_";
export const CONFIG_PREFIX = "GOFER_PLUGIN_CONFIG_";
export const COMMON_TASK_ENTRYPOINT: readonly string[] = ["./commontask", "task"];

function paramKey(key: string): string {
  const upper = key.toUpperCase();
  return upper.startsWith(PARAM_PREFIX) ? upper : PARAM_PREFIX + upper;
}

/** The task record of a common task; the image is the registration's when there is one (else ""). */
export function commonTaskRecord(task: PipelineCommonTaskRow, image: string): TaskRecord {
  return {
    id: task.label,
    description: task.description,
    image,
    registry_auth: null,
    depends_on: task.depends_on,
    variables: Object.entries(task.settings).map(([key, value]) => ({
      key: paramKey(key),
      value,
      source: "PIPELINE_CONFIG" as const,
    })),
    entrypoint: [...COMMON_TASK_ENTRYPOINT],
    command: null,
    common_task: { name: task.name, settings: { ...task.settings } },
  };
}

export type CommonTaskLaunch =
  | { ok: true; image: string; registryAuth: { user: string; pass: string } | null; config: VariableRecord[] }
  | { ok: false; description: string };

/** What starting the common task needs from its registration now, or why it cannot start. */
export async function commonTaskLaunch(db: Kysely<Schema>, name: string): Promise<CommonTaskLaunch> {
  const registration = await getCommonTaskRegistration(db, name);
  if (!registration) {
    return {
      ok: false,
      description: `Common task "${name}" is not installed; install it with \`gofer common-task install ${name} <image>\``,
    };
  }
  if (registration.status === "DISABLED") {
    return {
      ok: false,
      description: `Common task "${name}" is disabled; enable it with \`gofer common-task enable ${name}\``,
    };
  }
  return {
    ok: true,
    image: registration.image,
    registryAuth: registration.registry_auth && { ...registration.registry_auth },
    config: registration.variables.map((v) => ({
      key: CONFIG_PREFIX + v.key.toUpperCase(),
      value: v.value,
      source: "SYSTEM" as const,
    })),
  };
}
