// Removes exited containers the server left behind (`scheduler.docker.prune`, every `prune_interval`). Only containers
// labelled gofer=true are touched, never anything else on the machine. A container is kept while the engine still
// uses it (a run follows its exit or output, or orphan repair just asked about it) and until it has been finished for
// minAgeMs, so a task container that exits between a crash and the next start is still there for orphan repair.
// Task output lives in the task run's log file, so nothing is lost with the container.
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { DockerApi } from "./docker-api.js";
import { dockerStatusCode, isNotFound } from "./docker-error.js";

export interface DockerPrunerOptions {
  readonly api: DockerApi;
  readonly intervalMs: number;
  /** Containers finished (or created, if never started) more recently than this are kept. */
  readonly minAgeMs: number;
  /** True while the engine still follows the container. */
  readonly inUse: (id: string) => boolean;
  /** Only containers of this server instance (label gofer.instance) are pruned. */
  readonly instanceId?: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

const NEVER = "0001-01-01T00:00:00Z";

/** One pass: returns the ids removed. */
export async function pruneContainers(options: DockerPrunerOptions): Promise<string[]> {
  const { api, clock } = options;
  const candidates = await api.listContainers({
    all: true,
    filters: JSON.stringify({
      label: ["gofer=true", ...(options.instanceId ? [`gofer.instance=${options.instanceId}`] : [])],
      status: ["exited", "dead", "created"],
    }),
  });
  const removed: string[] = [];
  const nowMs = clock.now().getTime();
  for (const candidate of candidates) {
    if (options.inUse(candidate.Id)) continue;
    const container = api.getContainer(candidate.Id);
    try {
      const info = await container.inspect();
      if (info.State.Running) continue;
      const finished = info.State.FinishedAt && info.State.FinishedAt !== NEVER ? info.State.FinishedAt : info.Created;
      const finishedMs = finished ? Date.parse(finished) : Number.NaN;
      if (!Number.isFinite(finishedMs) || nowMs - finishedMs < options.minAgeMs) continue;
      await container.remove({ v: true });
      removed.push(candidate.Id);
    } catch (error) {
      // Gone meanwhile (404) or being removed by someone else (409): nothing to do.
      if (isNotFound(error) || dockerStatusCode(error) === 409) continue;
      throw error;
    }
  }
  return removed;
}

/** Prunes every intervalMs until the signal aborts; a failed pass is logged and the next one tried. */
export async function runDockerPruner(options: DockerPrunerOptions, signal: AbortSignal): Promise<void> {
  const { clock, logger } = options;
  while (!signal.aborted) {
    try {
      await clock.sleep(options.intervalMs, signal);
    } catch {
      return;
    }
    const startedMs = clock.now().getTime();
    try {
      const removed = await pruneContainers(options);
      if (removed.length > 0) {
        logger.info("pruned exited containers", {
          count: removed.length,
          durationMs: clock.now().getTime() - startedMs,
        });
      }
    } catch (error) {
      logger.warn("pruning containers failed; trying again at the next interval", {
        error: errorMessage(error),
        intervalMs: options.intervalMs,
      });
    }
  }
}
