// Pipelines: create, update, get, list, enable, disable, delete. A new version is stored, then its subscriptions are
// applied to the triggers; if one is refused, the triggers and the stored version go back to how they were, so a
// failed update never loses the pipeline (spec §7 #13). Enable/disable only flip the state, as in v0.4: a disabled pipeline stays subscribed and its events
// are recorded as SKIPPED, so its authors still see what would have run.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from "../errors.js";
import type { EventLog } from "../events/event-log.js";
import { overlapPolicyOf } from "../runs/overlap-policy.js";
import { getNamespace } from "../storage/namespace-repository.js";
import {
  deletePipeline,
  getStoredPipeline,
  listPipelines,
  replacePipeline,
  type StoredPipeline,
  updatePipeline,
} from "../storage/pipeline-repository.js";
import type { PipelineRow, Schema } from "../storage/schema.js";
import type { SubscriptionManager, SubscriptionRecord } from "../triggers/subscription-manager.js";
import type { PipelineDefinition } from "./pipeline-config.js";

export interface PipelineServiceOptions {
  db: Kysely<Schema>;
  subscriptions: SubscriptionManager;
  eventLog: EventLog;
  clock: Clock;
  /** Names of installed triggers. */
  installedTriggers: () => Promise<Set<string>>;
  resultsLimit: number;
  /** A pipeline was deleted: its secrets and objects go with it (stores/). */
  onDeleted?: (ref: { namespaceId: string; pipelineId: string }) => void;
}

function subscriptionsOf(stored: StoredPipeline): SubscriptionRecord[] {
  return stored.subscriptions.map((s) => ({
    namespaceId: s.namespace_id,
    pipelineId: s.pipeline_id,
    label: s.label,
    triggerName: s.trigger_name,
    settings: { ...s.settings },
  }));
}

/** `pipeline "demo" in namespace "default"`, as run-lookup.ts names runs, so every not-found reads alike. */
export function describePipeline(namespaceId: string, id: string): string {
  return `pipeline ${JSON.stringify(id)} in namespace ${JSON.stringify(namespaceId)}`;
}

export class PipelineService {
  constructor(private readonly options: PipelineServiceOptions) {}

  async create(namespaceId: string, definition: PipelineDefinition): Promise<StoredPipeline> {
    const { db } = this.options;
    if (!(await getNamespace(db, namespaceId))) {
      throw new NotFoundError(`namespace "${namespaceId}" not found`);
    }
    if (await getStoredPipeline(db, namespaceId, definition.id)) {
      throw new AlreadyExistsError(
        `${describePipeline(namespaceId, definition.id)} already exists; use UpdatePipeline`,
      );
    }
    return this.store(namespaceId, definition, undefined);
  }

  async update(namespaceId: string, definition: PipelineDefinition): Promise<StoredPipeline> {
    const existing = await getStoredPipeline(this.options.db, namespaceId, definition.id);
    if (!existing) throw new NotFoundError(`${describePipeline(namespaceId, definition.id)} not found`);
    return this.store(namespaceId, definition, existing);
  }

  async get(namespaceId: string, id: string): Promise<StoredPipeline> {
    const stored = await getStoredPipeline(this.options.db, namespaceId, id);
    if (!stored) throw new NotFoundError(`${describePipeline(namespaceId, id)} not found`);
    return stored;
  }

  async list(namespaceId: string, offset: number, limit: number): Promise<StoredPipeline[]> {
    const capped = limit <= 0 ? this.options.resultsLimit : Math.min(limit, this.options.resultsLimit);
    const rows = await listPipelines(this.options.db, { namespaceId, offset: Math.max(0, offset), limit: capped });
    const stored = await Promise.all(rows.map((row) => getStoredPipeline(this.options.db, row.namespace_id, row.id)));
    return stored.filter((s): s is StoredPipeline => s !== undefined);
  }

  async setState(namespaceId: string, id: string, state: PipelineRow["state"]): Promise<void> {
    await this.get(namespaceId, id);
    await updatePipeline(this.options.db, namespaceId, id, { state, modified: this.options.clock.now().getTime() });
    await this.options.eventLog.record(state === "ACTIVE" ? "ENABLED_PIPELINE" : "DISABLED_PIPELINE", {
      namespace_id: namespaceId,
      pipeline_id: id,
    });
  }

  async delete(namespaceId: string, id: string): Promise<void> {
    const existing = await this.get(namespaceId, id);
    await deletePipeline(this.options.db, namespaceId, id);
    this.options.onDeleted?.({ namespaceId, pipelineId: id });
    await this.options.subscriptions.remove(subscriptionsOf(existing));
    await this.options.eventLog.record("DELETED_PIPELINE", { namespace_id: namespaceId, pipeline_id: id });
  }

  private async store(
    namespaceId: string,
    definition: PipelineDefinition,
    existing: StoredPipeline | undefined,
  ): Promise<StoredPipeline> {
    const { db, clock } = this.options;
    const installed = await this.options.installedTriggers();
    for (const trigger of definition.triggers) {
      overlapPolicyOf(trigger.settings, `pipeline "${definition.id}" trigger label "${trigger.label}"`);
      if (!installed.has(trigger.triggerName)) {
        throw new FailedPreconditionError(
          `pipeline "${definition.id}" trigger label "${trigger.label}": trigger "${trigger.triggerName}" is not installed`,
        );
      }
    }
    const now = clock.now().getTime();
    const next: StoredPipeline = {
      pipeline: {
        namespace_id: namespaceId,
        id: definition.id,
        name: definition.name,
        description: definition.description,
        parallelism: definition.parallelism,
        state: existing?.pipeline.state ?? "ACTIVE",
        created: existing?.pipeline.created ?? now,
        modified: now,
        errors: [],
      },
      tasks: definition.tasks.map((task) => ({
        namespace_id: namespaceId,
        pipeline_id: definition.id,
        id: task.id,
        description: task.description,
        image: task.image,
        registry_auth: task.registryAuth,
        depends_on: task.dependsOn,
        variables: task.variables,
        entrypoint: task.entrypoint,
        command: task.command,
      })),
      subscriptions: definition.triggers.map((trigger) => ({
        namespace_id: namespaceId,
        pipeline_id: definition.id,
        label: trigger.label,
        trigger_name: trigger.triggerName,
        settings: trigger.settings,
      })),
      // As the original, a common task need not be installed yet: a run that reaches it then fails, saying so.
      commonTasks: definition.commonTasks.map((task) => ({
        namespace_id: namespaceId,
        pipeline_id: definition.id,
        label: task.label,
        name: task.name,
        description: task.description,
        depends_on: task.dependsOn,
        settings: task.settings,
      })),
    };
    // Stored before subscribing: a trigger may fire the moment it is subscribed, and its event must find the new
    // version. If a Subscribe then fails, apply() has already put the triggers back, and the previous version (or
    // nothing, for a create) is stored again, so the pipeline ends as it was.
    await replacePipeline(db, next);
    try {
      await this.options.subscriptions.apply(existing ? subscriptionsOf(existing) : [], subscriptionsOf(next));
    } catch (error) {
      if (existing) await replacePipeline(db, existing);
      else await deletePipeline(db, namespaceId, definition.id);
      throw error;
    }
    if (!existing) {
      await this.options.eventLog.record("CREATED_PIPELINE", { namespace_id: namespaceId, pipeline_id: definition.id });
    }
    return next;
  }
}
