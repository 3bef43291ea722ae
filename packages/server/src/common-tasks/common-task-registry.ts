// Common tasks (spec §9.5): images that pipelines use as tasks by name, installed once by an admin with their
// install config. Nothing runs at install: a common task's container starts only as a task of a run. Registrations
// live in the database, so they are "restored" at start simply by being read when a run needs them.
//
// Differences from the original (§9.7 S13): install, uninstall, enable, disable and the install instructions need a
// management token (api/); Get/List show the real status and install time; disable really stops new task runs of the
// common task (they fail, saying it is disabled) and enable/disable publish ENABLED_/DISABLED_COMMON_TASK.
import type { Clock } from "@gofer/kernel";
import { ID_RULE, isValidId } from "@gofer/pipeline-sdk/check";
import type { Kysely } from "kysely";
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { EventLog } from "../events/event-log.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import {
  deleteCommonTaskRegistration,
  getCommonTaskRegistration,
  insertCommonTaskRegistration,
  listCommonTaskRegistrations,
  updateCommonTaskRegistrationStatus,
} from "../storage/common-task-repository.js";
import { isUniqueViolation } from "../storage/constraint-violation.js";
import type { CommonTaskRegistrationRow, Schema } from "../storage/schema.js";
import { runInstaller } from "../triggers/trigger-installer.js";
import type { TriggerTls } from "../triggers/trigger-supervisor.js";

export interface InstallCommonTaskRequest {
  name: string;
  image: string;
  user?: string;
  pass?: string;
  variables: Record<string, string>;
  documentation: string;
}

export interface CommonTaskRegistryOptions {
  db: Kysely<Schema>;
  scheduler: Scheduler;
  /** Required by the shared installer runner; a common task's installer gets no env, so it is not used. */
  tls: TriggerTls;
  eventLog: EventLog;
  clock: Clock;
}

export class CommonTaskRegistry {
  constructor(private readonly options: CommonTaskRegistryOptions) {}

  /** Runs `./commontask installer` in the image (no env, no network) and returns its instructions JSON. */
  async installInstructions(image: string, user?: string, pass?: string): Promise<string> {
    if (image === "") throw new FailedPreconditionError("image required");
    return runInstaller(this.options.scheduler, this.options.tls, "info", {
      image,
      ...(user ? { registryAuth: { user, pass: pass ?? "" } } : {}),
      binary: "./commontask",
      env: {},
    });
  }

  async install(request: InstallCommonTaskRequest): Promise<CommonTaskRegistrationRow> {
    if (request.name === "") throw new FailedPreconditionError("name required");
    if (request.image === "") throw new FailedPreconditionError("image required");
    if (!isValidId(request.name)) {
      throw new InvalidArgumentError(`common task name ${JSON.stringify(request.name)} ${ID_RULE}`);
    }
    for (const key of Object.keys(request.variables)) {
      if (!/^[A-Za-z0-9_]{1,128}$/.test(key)) {
        throw new InvalidArgumentError(
          `common task "${request.name}" config key ${JSON.stringify(key)} must be 1-128 letters, digits or "_"`,
        );
      }
    }
    const row: CommonTaskRegistrationRow = {
      name: request.name,
      image: request.image,
      registry_auth: request.user ? { user: request.user, pass: request.pass ?? "" } : null,
      variables: Object.entries(request.variables).map(([key, value]) => ({ key, value, source: "SYSTEM" as const })),
      created: this.options.clock.now().getTime(),
      status: "ENABLED",
      documentation: request.documentation,
    };
    try {
      await insertCommonTaskRegistration(this.options.db, row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AlreadyExistsError(`common task "${request.name}" is already installed; uninstall it first`);
      }
      throw error;
    }
    await this.options.eventLog.record("INSTALLED_COMMON_TASK", { name: row.name, image: row.image });
    return row;
  }

  /** Unknown names succeed, as the original; pipelines using it are left alone and their runs fail clearly. */
  async uninstall(name: string): Promise<void> {
    if (name === "") throw new FailedPreconditionError("name required");
    if (await deleteCommonTaskRegistration(this.options.db, name)) {
      await this.options.eventLog.record("UNINSTALLED_COMMON_TASK", { name });
    }
  }

  async get(name: string): Promise<CommonTaskRegistrationRow> {
    if (name === "") throw new FailedPreconditionError("name required");
    const row = await getCommonTaskRegistration(this.options.db, name);
    if (!row) throw new NotFoundError(`common task "${name}" is not installed`);
    return row;
  }

  list(): Promise<CommonTaskRegistrationRow[]> {
    return listCommonTaskRegistrations(this.options.db);
  }

  async setStatus(name: string, status: "ENABLED" | "DISABLED"): Promise<void> {
    const row = await this.get(name);
    if (row.status === status) return;
    await updateCommonTaskRegistrationStatus(this.options.db, name, status);
    await this.options.eventLog.record(status === "ENABLED" ? "ENABLED_COMMON_TASK" : "DISABLED_COMMON_TASK", {
      name,
      image: row.image,
    });
  }
}
