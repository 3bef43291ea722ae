// What the server asks of a container engine. Triggers, installers and task runs all go through this one interface;
// the process engine (processes on this machine) and the docker engine implement it.

export interface RegistryAuth {
  user: string;
  pass: string;
}

/** How a long-running container (a trigger) is reached from the server. */
export interface ListenSpec {
  /** The port the program listens on inside a container (8080 for triggers, 8082 for extensions). */
  containerPort: number;
  /**
   * The env var through which the program can be told its listen address (GOFER_PLUGIN_SYSTEM_HOST). Engines that
   * share the host's network (processes, docker host networking) set it to 127.0.0.1:<a free port>.
   */
  addressEnv: string;
}

export interface ContainerSpec {
  /** Unique name, e.g. trigger_<name>; an existing container of that name is removed first. */
  name: string;
  image: string;
  registryAuth?: RegistryAuth;
  /** Pull even when the image is present locally. */
  alwaysPull?: boolean;
  env: Record<string, string>;
  entrypoint?: string[];
  command?: string[];
  listen?: ListenSpec;
  /** "none" cuts networking off (installers); default: the engine's configured networking. */
  network?: "none" | "default";
  /** Labels to find the container again (orphan repair, pruning). */
  labels: Record<string, string>;
  /**
   * Host files made visible at the same path inside the container, read-only (e.g. a certificate to trust). Pass
   * absolute paths: an engine resolves a relative one against the server's working directory.
   */
  readOnlyFiles?: string[];
}

export interface StartedContainer {
  /** The engine's id for the container. */
  id: string;
  /** host:port at which `listen` is reachable from the server, when a ListenSpec was given. */
  address?: string;
}

export interface ExitStatus {
  /** null when the engine cannot tell (e.g. killed by a signal on the process engine: then 128 + signal). */
  exitCode: number | null;
  /** Why the engine ended it, if it did (stop, kill, failed to start). */
  reason?: string;
}

export type ContainerState =
  | { state: "running"; id: string; labels: Record<string, string> }
  | { state: "exited"; id: string; labels: Record<string, string>; exitCode: number | null }
  | { state: "unknown"; id: string };

export interface Scheduler {
  readonly engine: "process" | "docker";
  /** Starts a container; rejects with a clear error (missing image, failed pull, bad command). */
  start(spec: ContainerSpec, signal?: AbortSignal): Promise<StartedContainer>;
  /** Resolves when the container exits. */
  wait(id: string): Promise<ExitStatus>;
  /** Asks the container to stop (SIGTERM), and kills it after timeoutMs. Resolves once it has exited. */
  stop(id: string, timeoutMs: number): Promise<void>;
  /** Output lines (stdout and stderr merged) from the start, following until the container exits or signal aborts. */
  logs(id: string, signal?: AbortSignal): AsyncIterable<string>;
  /** What the engine knows of a container, for orphan repair. */
  inspect(id: string): Promise<ContainerState>;
  /** Containers carrying all the given labels (running or exited). */
  list(labels: Record<string, string>): Promise<ContainerState[]>;
  /** Forgets an exited container (docker rm); a no-op when it is unknown. */
  remove(id: string): Promise<void>;
  /** Stops everything this engine started (server shutdown), within timeoutMs per container. */
  close(timeoutMs: number): Promise<void>;
}

export class SchedulerError extends Error {
  override name = "SchedulerError";
}
