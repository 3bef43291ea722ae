// Namespaces group pipelines. Deleting one deletes its pipelines (the database cascades) and unsubscribes them from
// their triggers first, so no trigger keeps firing for a pipeline that no longer exists.
import type { Clock } from "@gofer/kernel";
import { ID_RULE, isValidId } from "@gofer/pipeline-sdk/check";
import type { Kysely } from "kysely";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { EventLog } from "../events/event-log.js";
import { isUniqueViolation } from "../storage/constraint-violation.js";
import {
  deleteNamespace,
  getNamespace,
  insertNamespace,
  listNamespaces,
  updateNamespace,
} from "../storage/namespace-repository.js";
import { listTriggerSubscriptions } from "../storage/pipeline-repository.js";
import type { NamespaceRow, Schema } from "../storage/schema.js";
import type { SubscriptionManager } from "../triggers/subscription-manager.js";

export interface NamespaceServiceOptions {
  db: Kysely<Schema>;
  subscriptions: SubscriptionManager;
  eventLog: EventLog;
  clock: Clock;
  resultsLimit: number;
  /** A namespace was deleted: its pipelines' secrets and objects go with it (stores/). */
  onDeleted?: (namespaceId: string) => void;
}

export class NamespaceService {
  constructor(private readonly options: NamespaceServiceOptions) {}

  /** Creates the default namespace on first start (spec §2.1). */
  async ensureDefault(): Promise<void> {
    if (!(await getNamespace(this.options.db, "default"))) {
      await this.create("default", "Default", "The default namespace when no other namespace is specified.");
    }
  }

  async create(id: string, name: string, description: string): Promise<NamespaceRow> {
    if (!isValidId(id)) throw new InvalidArgumentError(`namespace id ${JSON.stringify(id)} ${ID_RULE}`);
    const now = this.options.clock.now().getTime();
    const row: NamespaceRow = { id, name: name || id, description, created: now, modified: now };
    try {
      await insertNamespace(this.options.db, row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError(`namespace "${id}" already exists`);
      throw error;
    }
    await this.options.eventLog.record("CREATED_NAMESPACE", { namespace_id: id });
    return row;
  }

  async get(id: string): Promise<NamespaceRow> {
    const row = await getNamespace(this.options.db, id);
    if (!row) throw new NotFoundError(`namespace "${id}" not found`);
    return row;
  }

  list(offset: number, limit: number): Promise<NamespaceRow[]> {
    const capped = limit <= 0 ? this.options.resultsLimit : Math.min(limit, this.options.resultsLimit);
    return listNamespaces(this.options.db, { offset: Math.max(0, offset), limit: capped });
  }

  async update(id: string, name: string, description: string): Promise<void> {
    const current = await this.get(id);
    await updateNamespace(this.options.db, id, {
      name: name || current.name,
      description,
      modified: this.options.clock.now().getTime(),
    });
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    const subscriptions = (await listTriggerSubscriptions(this.options.db)).filter((s) => s.namespace_id === id);
    await deleteNamespace(this.options.db, id);
    this.options.onDeleted?.(id);
    await this.options.subscriptions.remove(
      subscriptions.map((s) => ({
        namespaceId: s.namespace_id,
        pipelineId: s.pipeline_id,
        label: s.label,
        triggerName: s.trigger_name,
        settings: { ...s.settings },
      })),
    );
    await this.options.eventLog.record("DELETED_NAMESPACE", { namespace_id: id });
  }
}
