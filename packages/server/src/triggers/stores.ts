// The trigger runtime's storage needs, backed by the sqlite repositories. The runtime itself only sees the narrow
// interfaces (TriggerRegistrationStore, SubscriptionStore); this file is the one place that knows both sides.

import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { AlreadyExistsError } from "../errors.js";
import { isUniqueViolation } from "../storage/constraint-violation.js";
import { getPipeline, listTriggerSubscriptions, updatePipeline } from "../storage/pipeline-repository.js";
import type { Schema, TriggerRegistrationRow } from "../storage/schema.js";
import {
  deleteTriggerRegistration,
  getTriggerRegistration,
  insertTriggerRegistration,
  listTriggerRegistrations,
  updateTriggerRegistrationStatus,
} from "../storage/trigger-registration-repository.js";
import type { TriggerRegistration } from "./registration.js";
import type { SubscriptionRecord, SubscriptionStore } from "./subscription-manager.js";
import type { TriggerRegistrationStore } from "./trigger-runtime.js";

export function toRegistration(row: TriggerRegistrationRow): TriggerRegistration {
  return {
    name: row.name,
    image: row.image,
    kind: row.kind,
    ...(row.registry_auth ? { registryAuth: { ...row.registry_auth } } : {}),
    variables: row.variables.map((v) => ({ ...v })),
    created: row.created,
    status: row.status,
  };
}

export function registrationStore(db: Kysely<Schema>): TriggerRegistrationStore {
  return {
    async listRegistrations() {
      return (await listTriggerRegistrations(db)).map(toRegistration);
    },
    async getRegistration(name) {
      const row = await getTriggerRegistration(db, name);
      return row && toRegistration(row);
    },
    async insertRegistration(registration) {
      try {
        await insertTriggerRegistration(db, {
          name: registration.name,
          image: registration.image,
          kind: registration.kind,
          registry_auth: registration.registryAuth ?? null,
          variables: registration.variables,
          created: registration.created,
          status: registration.status,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AlreadyExistsError(`trigger "${registration.name}" already exists`);
        throw error;
      }
    },
    async deleteRegistration(name) {
      await deleteTriggerRegistration(db, name);
    },
    async setRegistrationStatus(name, status) {
      await updateTriggerRegistrationStatus(db, name, status);
    },
    async listSubscribedTriggerNames() {
      return [...new Set((await listTriggerSubscriptions(db)).map((s) => s.trigger_name))];
    },
  };
}

/** The error a failed subscription leaves on its pipeline; one per label, found again by its prefix. */
export function subscriptionErrorPrefix(label: string): string {
  return `subscription "${label}": `;
}

export function subscriptionStore(db: Kysely<Schema>, clock: Clock): SubscriptionStore {
  return {
    async listSubscriptions(triggerName) {
      return (await listTriggerSubscriptions(db, { triggerName })).map(
        (row): SubscriptionRecord => ({
          namespaceId: row.namespace_id,
          pipelineId: row.pipeline_id,
          label: row.label,
          triggerName: row.trigger_name,
          settings: { ...row.settings },
        }),
      );
    },
    async setSubscriptionError(subscription, message) {
      const pipeline = await getPipeline(db, subscription.namespaceId, subscription.pipelineId);
      if (!pipeline) return;
      const prefix = subscriptionErrorPrefix(subscription.label);
      const others = pipeline.errors.filter((e) => !e.description.startsWith(prefix));
      const errors =
        message === null
          ? others
          : [...others, { kind: "TRIGGER_SUBSCRIPTION_FAILURE" as const, description: prefix + message }];
      if (JSON.stringify(errors) === JSON.stringify(pipeline.errors)) return;
      await updatePipeline(db, subscription.namespaceId, subscription.pipelineId, {
        errors,
        modified: clock.now().getTime(),
      });
    },
  };
}
