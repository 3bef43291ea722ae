// A stand-in for the Docker daemon behind the DockerApi seam: just enough state (images, containers with a status) for
// the engine's unit tests, plus switches for the failures they need (daemon unreachable, failing pulls).
import { Readable, Writable } from "node:stream";
import winston from "winston";
import type {
  DockerApi,
  DockerContainer,
  DockerContainerInspect,
  DockerContainerSummary,
  DockerCreateOptions,
  DockerPullOptions,
} from "../src/scheduler/docker-api.js";

export interface FakeContainer {
  id: string;
  options: DockerCreateOptions;
  status: "created" | "running" | "exited";
  exitCode: number;
  finishedAt: string;
  output: Buffer[];
  signals: string[];
  exited: Promise<void>;
  exit: (code: number) => void;
}

/** What a socket error from dockerode looks like when nothing listens. */
export function unreachableError(): Error {
  return Object.assign(new Error("connect ENOENT /var/run/docker.sock"), {
    code: "ENOENT",
    address: "/var/run/docker.sock",
  });
}

/** What dockerode rejects with when the daemon answers an error status. */
export function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
}

/** One multiplexed frame of a container's log stream (stream 1 = stdout, 2 = stderr). */
export function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export class FakeDockerApi implements DockerApi {
  readonly images = new Set<string>();
  readonly containers = new Map<string, FakeContainer>();
  readonly pulls: Array<{ image: string; options: DockerPullOptions }> = [];
  unreachable = false;
  /** Pull behaviour: "ok" adds the image; an Error rejects the request; a string fails in the progress stream. */
  pullOutcome: "ok" | Error | string = "ok";
  /** Exit code a container gets when it receives SIGTERM; undefined: it ignores SIGTERM (busybox sh as PID 1). */
  exitOnSigterm: number | undefined = 143;
  /** The next logs() ends at once with nothing, as Docker's follow of a container that exited at once can. */
  logsMissedOnce = false;
  private nextId = 1;

  private check(): void {
    if (this.unreachable) throw unreachableError();
  }

  async ping(): Promise<unknown> {
    this.check();
    return "OK";
  }

  getImage(name: string) {
    return {
      inspect: async () => {
        this.check();
        if (!this.images.has(name)) throw httpError(404, `No such image: ${name}`);
        return { Id: `sha256:${name}` };
      },
    };
  }

  async pull(image: string, options: DockerPullOptions): Promise<NodeJS.ReadableStream> {
    this.check();
    this.pulls.push({ image, options });
    const outcome = this.pullOutcome;
    if (outcome instanceof Error) throw outcome;
    if (outcome === "ok") {
      this.images.add(image);
      return Readable.from([`{"status":"Pulling from ${image}"}\n`, '{"status":"Download complete"}\n']);
    }
    return Readable.from([
      `{"status":"Pulling from ${image}"}\n`,
      `${JSON.stringify({ errorDetail: { message: outcome }, error: outcome })}\n`,
    ]);
  }

  async createContainer(options: DockerCreateOptions): Promise<DockerContainer> {
    this.check();
    if (!this.images.has(options.Image)) throw httpError(404, `No such image: ${options.Image}`);
    for (const c of this.containers.values()) {
      if (c.options.name === options.name)
        throw httpError(409, `Conflict. The container name "/${options.name}" is already in use`);
    }
    const id = `${String(this.nextId++).padStart(4, "0")}fake`;
    let exit: (code: number) => void = () => {};
    const container: FakeContainer = {
      id,
      options,
      status: "created",
      exitCode: 0,
      finishedAt: "0001-01-01T00:00:00Z",
      output: [],
      signals: [],
      exited: new Promise<void>((resolve) => {
        exit = (code) => {
          if (container.status === "exited") return;
          container.status = "exited";
          container.exitCode = code;
          container.finishedAt = new Date(0).toISOString();
          resolve();
        };
      }),
      exit: (code) => exit(code),
    };
    this.containers.set(id, container);
    return this.getContainer(id);
  }

  /** By id, by name, then by id prefix, as the daemon resolves them. */
  find(idOrName: string): FakeContainer | undefined {
    const all = [...this.containers.values()];
    return (
      this.containers.get(idOrName) ??
      all.find((c) => c.options.name === idOrName) ??
      all.find((c) => c.id.startsWith(idOrName))
    );
  }

  getContainer(idOrName: string): DockerContainer {
    const get = () => {
      this.check();
      const container = this.find(idOrName);
      if (!container) throw httpError(404, `No such container: ${idOrName}`);
      return container;
    };
    return {
      id: idOrName,
      start: async () => {
        const c = get();
        c.status = "running";
      },
      inspect: async (): Promise<DockerContainerInspect> => {
        const c = get();
        return {
          Id: c.id,
          Name: `/${c.options.name}`,
          Created: new Date(0).toISOString(),
          State: {
            Status: c.status,
            Running: c.status === "running",
            ExitCode: c.exitCode,
            StartedAt: c.status === "created" ? "0001-01-01T00:00:00Z" : new Date(0).toISOString(),
            FinishedAt: c.finishedAt,
          },
          Config: { Labels: c.options.Labels },
          NetworkSettings: { Ports: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "49153" }] } },
        };
      },
      wait: async () => {
        const c = get();
        await c.exited;
        this.check();
        return { StatusCode: c.exitCode };
      },
      logs: async () => {
        if (this.logsMissedOnce) {
          this.logsMissedOnce = false;
          return Readable.from([]);
        }
        return Readable.from(get().output);
      },
      kill: async ({ signal }) => {
        const c = get();
        if (c.status !== "running") throw httpError(409, `Container ${c.id} is not running`);
        c.signals.push(signal);
        if (signal === "SIGKILL") c.exit(137);
        else if (this.exitOnSigterm !== undefined) c.exit(this.exitOnSigterm);
      },
      remove: async ({ force }) => {
        const c = get();
        if (c.status === "running" && !force) throw httpError(409, "You cannot remove a running container");
        c.exit(137);
        this.containers.delete(c.id);
      },
    };
  }

  async listContainers(options: { all: boolean; filters: string }): Promise<DockerContainerSummary[]> {
    this.check();
    const filters = JSON.parse(options.filters) as { label?: string[]; status?: string[] };
    return [...this.containers.values()]
      .filter((c) =>
        (filters.label ?? []).every((l) => {
          const [key, value] = l.split("=") as [string, string];
          return c.options.Labels[key] === value;
        }),
      )
      .filter((c) => !filters.status || filters.status.includes(c.status))
      .map((c) => ({ Id: c.id, Names: [`/${c.options.name}`], Labels: c.options.Labels, State: c.status }));
  }

  getNetwork() {
    return { inspect: async () => ({ IPAM: { Config: [{ Gateway: "172.18.0.1" }] } }) };
  }
}

/** A winston logger that keeps what it was told, for assertions on warnings. */
export function recordingLogger(): { logger: winston.Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, done) {
      records.push(info);
      done();
    },
  });
  const logger = winston.createLogger({ level: "debug", transports: [new winston.transports.Stream({ stream })] });
  return { logger, records };
}
