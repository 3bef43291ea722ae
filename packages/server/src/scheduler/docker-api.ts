// The part of dockerode the docker engine uses, and nothing more: the engine never imports dockerode itself, so unit
// tests hand it a fake and only connectDocker() below knows the library. Shapes follow the Docker Engine API (v1.41);
// only the fields we read are declared.
import Dockerode from "dockerode";

export interface DockerApi {
  ping(): Promise<unknown>;
  getImage(name: string): DockerImage;
  /** Starts a pull; the stream carries JSON progress lines, and a failure may arrive as a line with `error`. */
  pull(repoTag: string, options: DockerPullOptions): Promise<NodeJS.ReadableStream>;
  createContainer(options: DockerCreateOptions): Promise<DockerContainer>;
  getContainer(id: string): DockerContainer;
  listContainers(options: { all: boolean; filters: string }): Promise<DockerContainerSummary[]>;
  getNetwork(id: string): DockerNetwork;
}

export interface DockerPullOptions {
  authconfig?: DockerAuthConfig;
  abortSignal?: AbortSignal;
}

export interface DockerAuthConfig {
  username: string;
  password: string;
  serveraddress: string;
}

export interface DockerImage {
  inspect(): Promise<unknown>;
}

export interface DockerNetwork {
  inspect(): Promise<{ IPAM?: { Config?: Array<{ Gateway?: string }> } }>;
}

export interface DockerCreateOptions {
  name: string;
  Image: string;
  Env: string[];
  Labels: Record<string, string>;
  Entrypoint?: string[];
  Cmd?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: {
    NetworkMode: string;
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    /** "host-path:container-path:ro" */
    Binds?: string[];
  };
}

export interface DockerContainer {
  readonly id: string;
  start(): Promise<unknown>;
  inspect(): Promise<DockerContainerInspect>;
  /** Long-polls until the container is not running. */
  wait(options: { abortSignal?: AbortSignal }): Promise<{ StatusCode: number }>;
  /** Multiplexed stdout/stderr (8-byte frame headers) for containers without a TTY; ends when the container exits. */
  logs(options: {
    follow: true;
    stdout: true;
    stderr: true;
    abortSignal?: AbortSignal;
  }): Promise<NodeJS.ReadableStream>;
  kill(options: { signal: string }): Promise<unknown>;
  remove(options: { force?: boolean; v?: boolean }): Promise<unknown>;
}

export interface DockerContainerInspect {
  Id: string;
  /** "/<name>" */
  Name?: string;
  /** RFC 3339 */
  Created?: string;
  State: {
    /** created | running | paused | restarting | removing | exited | dead */
    Status: string;
    Running: boolean;
    ExitCode: number;
    OOMKilled?: boolean;
    Error?: string;
    /** "0001-01-01T00:00:00Z" when the container never started. */
    StartedAt?: string;
    FinishedAt?: string;
  };
  Config: { Labels?: Record<string, string> | null; Tty?: boolean };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null };
}

export interface DockerContainerSummary {
  Id: string;
  Names?: string[];
  Labels?: Record<string, string>;
  State?: string;
}

/** Where dockerode connects when nothing else is said: DOCKER_HOST, else the local socket. */
export function defaultDockerAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/** The real API over the daemon's socket (or DOCKER_HOST). Nothing connects until the first call. */
export function connectDocker(options: { socketPath?: string } = {}): DockerApi {
  const api: DockerApi = new Dockerode(options.socketPath ? { socketPath: options.socketPath } : undefined);
  return api;
}
