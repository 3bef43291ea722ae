// What a task run's container is started with: its spec, with the environment resolved just before the start, or
// the FAILED result that keeps it from starting (no container then):
//   common task not installed or disabled → FAILED_PRECONDITION (looked up as it starts: one installed or enabled
//   since the run began is used; its image, registry auth and install config come from the registration)
//   a store reference that cannot be resolved → FAILED_PRECONDITION, naming the variable and reference, never a value
import type { Kysely } from "kysely";
import { errorMessage } from "../errors.js";
import type { ContainerSpec } from "../scheduler/scheduler.js";
import type { Schema, VariableRecord } from "../storage/schema.js";
import { type CommonTaskLaunch, commonTaskLaunch } from "./common-task-runs.js";
import type { TaskRun } from "./run.js";
import type { RunRef } from "./run-orchestrator.js";
import type { TaskRunResult } from "./run-store.js";
import { taskContainerSpec } from "./task-container.js";

export interface TaskLaunchDeps {
  /** Common task registrations are read from here. */
  readonly db: Kysely<Schema>;
  /**
   * The task's environment with secret and object references resolved (stores/interpolation.ts), just before its
   * container starts; throws naming the reference that could not be resolved. Absent: variables go as stored.
   */
  readonly resolveEnv?: (ref: RunRef, variables: readonly VariableRecord[]) => Record<string, string>;
  /** Env every task of the run gets beneath its own variables (the run's API credentials, auth/run-tokens.ts). */
  readonly runEnv?: (ref: RunRef) => Promise<{ env: Record<string, string>; readOnlyFiles: string[] }>;
}

export type TaskLaunch = { readonly spec: ContainerSpec } | { readonly failed: TaskRunResult };

export async function planTaskLaunch(deps: TaskLaunchDeps, ref: RunRef, taskRun: TaskRun): Promise<TaskLaunch> {
  const common = taskRun.task.commonTask;
  let launch: CommonTaskLaunch | undefined;
  if (common) {
    launch = await commonTaskLaunch(deps.db, common.name);
    if (!launch.ok) return failed({ reason: "FAILED_PRECONDITION", description: launch.description });
  }
  const variables = launch?.ok ? [...taskRun.variables, ...launch.config] : taskRun.variables;
  let env: Record<string, string> | undefined;
  try {
    env = deps.resolveEnv
      ? deps.resolveEnv(ref, variables)
      : Object.fromEntries(variables.map((v) => [v.key, v.value]));
  } catch (error) {
    // As the original (spec §9.3): no container, FAILED with FAILED_PRECONDITION.
    return failed({
      reason: "FAILED_PRECONDITION",
      description: `Task could not be run due to inability to retrieve interpolated variables; ${errorMessage(error)}`,
    });
  }
  const runEnv = deps.runEnv ? await deps.runEnv(ref) : undefined;
  if (runEnv) env = { ...runEnv.env, ...env };
  const withEnv = taskContainerSpec(ref, taskRun, env);
  const base =
    runEnv && runEnv.readOnlyFiles.length > 0 ? { ...withEnv, readOnlyFiles: [...runEnv.readOnlyFiles] } : withEnv;
  const spec =
    launch?.ok === true
      ? { ...base, image: launch.image, ...(launch.registryAuth ? { registryAuth: launch.registryAuth } : {}) }
      : base;
  return { spec };
}

function failed(reason: NonNullable<TaskRunResult["reason"]>): TaskLaunch {
  return { failed: { status: "FAILED", reason, exitCode: null } };
}
