// The process engine: runs a container spec as a local process, for development and for machines without Docker.
// It does not isolate anything (documented in the README). How an image becomes a command:
//  - an image listed in the image map runs the mapped executable in place of the image's "./trigger" (or
//    "./extension") binary: no entrypoint means "<exe> server", as the trigger images' default entry point;
//  - any other image runs its entrypoint + command directly, and a command given as one string without an entrypoint
//    runs through /bin/sh -c (task runs);
//  - an image with neither a mapping nor a command is an error that says how to map it.
// Each process gets its own process group so stop() reaches its children too.
// Tasks are started by the task launcher (task-launcher.ts: a long-lived /bin/sh, far cheaper to fork than the
// server); triggers (given a ListenSpec) and tasks whose environment the shell cannot pass exactly are spawned
// directly (spawn-direct.ts). Both kinds behave the same to callers.
// No orphans: with an instanceId, every process carries GOFER_SERVER_INSTANCE=<instanceId> in its environment, and
// reapOrphans() (at start) kills the process groups an earlier run of this same server left (found in /proc, Linux).
// Our triggers also exit by themselves when their parent goes away (the trigger SDK watches its parent pid).
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import { ExecutableCache, lookUpExecutable } from "./executable-lookup.js";
import { type LauncherTools, launchable } from "./launcher-protocol.js";
import {
  type ContainerSpec,
  type ContainerState,
  type ExitStatus,
  type Scheduler,
  SchedulerError,
  type StartedContainer,
} from "./scheduler.js";
import { spawnDirect } from "./spawn-direct.js";
import { type StartedProcess, TaskLauncher } from "./task-launcher.js";

export interface ProcessSchedulerOptions {
  /** image reference → the argv that stands in for the image's binary (e.g. ["/path/to/trigger"]) */
  imageMap: Readonly<Record<string, readonly string[]>>;
  clock: Clock;
  logger: Logger;
  /** Lines of output kept per process for logs() readers that start late. Default 10,000. */
  keepLines?: number;
  /**
   * Exited processes remembered (for wait, inspect and late logs readers); older ones, once no reader follows them,
   * are forgotten with their output, so a long-running server does not keep every process it ever ran. Default 100.
   */
  keepExited?: number;
  /** This server's own id: marks its processes so a later run can find and end those it left (reapOrphans). */
  instanceId?: string;
  /**
   * Start tasks through the task launcher instead of forking the server for each. Default true; without /bin/sh,
   * setsid and sleep every process is spawned directly.
   */
  launcher?: boolean;
  /** Where the task launcher keeps its tasks' output files while they run. Default: the OS temp directory. */
  outputParent?: string;
}

export const INSTANCE_ENV = "GOFER_SERVER_INSTANCE";

/** Pids of processes whose environment holds `name=value` (Linux /proc; elsewhere none), never this process. */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return found;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`)]);
      if (environ.includes(needle)) found.push(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

interface Tracked {
  id: string;
  name: string;
  labels: Record<string, string>;
  pid: number;
  lines: string[];
  dropped: number;
  followers: Set<() => void>;
  exit: Promise<ExitStatus>;
  status: ExitStatus | undefined;
  stopReason: string | undefined;
}

/** setsid and sleep as the server's PATH finds them, if it does (and /bin/sh exists): what the launcher needs. */
function findLauncherTools(): LauncherTools | undefined {
  const path = `${process.env.PATH ?? ""}:/usr/bin:/bin`;
  const sh = lookUpExecutable("/bin/sh", path);
  const setsid = lookUpExecutable("setsid", path);
  const sleep = lookUpExecutable("sleep", path);
  if (!("path" in sh) || !("path" in setsid) || !("path" in sleep)) return undefined;
  return { setsid: setsid.path, sleep: sleep.path };
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === "object" && address) resolve(address.port);
        else reject(new Error("could not allocate a loopback port"));
      });
    });
  });
}

export class ProcessScheduler implements Scheduler {
  readonly engine = "process" as const;
  private readonly processes = new Map<string, Tracked>();
  /** The process last started under each name while it runs (start() stops a stale one of the same name). */
  private readonly runningByName = new Map<string, Tracked>();
  /** Exited processes in `processes`. */
  private exitedCount = 0;
  private nextId = 1;
  private readonly launcher: TaskLauncher | undefined;
  private readonly executables = new ExecutableCache();

  constructor(private readonly options: ProcessSchedulerOptions) {
    const tools = options.launcher === false ? undefined : findLauncherTools();
    if (tools) {
      const { clock, logger, outputParent, instanceId } = options;
      this.launcher = new TaskLauncher({
        tools,
        clock,
        logger,
        ...(outputParent ? { outputParent } : {}),
        // With an instance id, reapOrphans() can tell this server's leftover output from other servers'.
        ...(instanceId ? { outputPrefix: `gofer-tasks-${instanceId}-` } : {}),
      });
    }
  }

  /** The task launcher's pid while one runs (it starts with the first task). */
  launcherPid(): number | undefined {
    return this.launcher?.pid;
  }

  /** CPU used so far by the task launcher and (once reaped) its waiters and tasks, in ms; for benchmarks. */
  launcherCpuUsageMs(): { ownMs: number; childrenMs: number } | undefined {
    return this.launcher?.cpuUsageMs();
  }

  resolveCommand(spec: ContainerSpec): string[] {
    const mapped = this.options.imageMap[spec.image];
    const entrypoint = spec.entrypoint ?? [];
    const command = spec.command ?? [];
    if (mapped && mapped.length > 0) {
      if (entrypoint.length === 0) return [...mapped, ...(command.length > 0 ? command : ["server"])];
      const [first, ...rest] = entrypoint;
      const program =
        first === "./trigger" || first === "./extension" || first === "./commontask" ? mapped : [first as string];
      return [...program, ...rest, ...command];
    }
    if (entrypoint.length > 0) return [...entrypoint, ...command];
    if (command.length === 1) return ["/bin/sh", "-c", command[0] as string];
    if (command.length > 1) return command;
    throw new SchedulerError(
      `image "${spec.image}" has no command on the process engine: map it in [triggers.image_map] ` +
        `(e.g. "${spec.image}" = ["/path/to/trigger"]), give the task a command, or use the docker engine`,
    );
  }

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    const existing = this.runningByName.get(spec.name);
    // As docker: a stale container with the same name is removed first.
    if (existing && existing.status === undefined) await this.stop(existing.id, 0);
    const argv = this.resolveCommand(spec);
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...spec.env };
    if (this.options.instanceId) env[INSTANCE_ENV] = this.options.instanceId;
    let address: string | undefined;
    if (spec.listen) {
      const port = await freeLoopbackPort();
      address = `127.0.0.1:${port}`;
      env[spec.listen.addressEnv] = address;
    }
    const id = `proc-${this.nextId++}-${spec.name}`;
    const [file] = argv as [string, ...string[]];
    const failed = (why: string) =>
      new SchedulerError(`could not start "${spec.image}" as ${JSON.stringify(argv)}: ${why}`);
    // A missing executable fails at once: a start failure, not a process that exited.
    const found = this.executables.lookUp(file, env.PATH);
    if ("error" in found) throw failed(`spawn ${file} ${found.error}`);

    const tracked: Tracked = {
      id,
      name: spec.name,
      labels: { ...spec.labels },
      pid: 0,
      lines: [],
      dropped: 0,
      followers: new Set(),
      status: undefined,
      stopReason: undefined,
      exit: Promise.resolve({ exitCode: null }),
    };
    const onLine = (line: string) => this.append(tracked, line);
    let started: StartedProcess;
    try {
      started =
        this.launcher && !spec.listen && launchable(argv, env)
          ? await this.launcher.start(argv, env, onLine)
          : await spawnDirect(argv, env, onLine);
    } catch (error) {
      throw failed(error instanceof Error ? error.message : String(error));
    }
    tracked.pid = started.pid;
    tracked.exit = started.exit.then((exit) => {
      const reason = exit.reason ?? tracked.stopReason;
      tracked.status = { exitCode: exit.exitCode, ...(reason ? { reason } : {}) };
      this.exitedCount += 1;
      if (this.runningByName.get(tracked.name) === tracked) this.runningByName.delete(tracked.name);
      this.notify(tracked);
      this.forgetOldExited();
      return tracked.status;
    });
    this.processes.set(id, tracked);
    this.runningByName.set(spec.name, tracked);
    // Checked first: a line below the level still costs a pass through winston's stream.
    if (this.options.logger.isDebugEnabled())
      this.options.logger.debug("process started", { id, argv, pid: started.pid });
    return address ? { id, address } : { id };
  }

  wait(id: string): Promise<ExitStatus> {
    return this.get(id).exit;
  }

  async stop(id: string, timeoutMs: number): Promise<void> {
    const tracked = this.processes.get(id);
    if (!tracked || tracked.status) return;
    tracked.stopReason ??= "stopped";
    this.signal(tracked, "SIGTERM");
    const deadline = new AbortController();
    const killed = this.options.clock.sleep(timeoutMs, deadline.signal).then(
      () => {
        if (tracked.status) return;
        tracked.stopReason = `killed after ${timeoutMs} ms`;
        this.signal(tracked, "SIGKILL");
      },
      () => {},
    );
    await Promise.race([tracked.exit, killed.then(() => tracked.exit)]);
    deadline.abort();
  }

  async *logs(id: string, signal?: AbortSignal): AsyncIterable<string> {
    const tracked = this.get(id);
    let index = 0;
    for (;;) {
      // Lines are dropped from the front beyond keepLines; a slow reader skips what it missed.
      const available = tracked.dropped + tracked.lines.length;
      if (index < tracked.dropped) index = tracked.dropped;
      while (index < available) {
        yield tracked.lines[index - tracked.dropped] as string;
        index += 1;
      }
      if (tracked.status || signal?.aborted) {
        if (index >= tracked.dropped + tracked.lines.length) return;
        continue;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          tracked.followers.delete(wake);
          signal?.removeEventListener("abort", wake);
          resolve();
        };
        tracked.followers.add(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }

  async inspect(id: string): Promise<ContainerState> {
    const tracked = this.processes.get(id);
    if (!tracked) return { state: "unknown", id };
    if (tracked.status) return { state: "exited", id, labels: tracked.labels, exitCode: tracked.status.exitCode };
    return { state: "running", id, labels: tracked.labels };
  }

  async list(labels: Record<string, string>): Promise<ContainerState[]> {
    const matches = [...this.processes.values()].filter((t) =>
      Object.entries(labels).every(([k, v]) => t.labels[k] === v),
    );
    return Promise.all(matches.map((t) => this.inspect(t.id)));
  }

  async remove(id: string): Promise<void> {
    const tracked = this.processes.get(id);
    if (tracked?.status) this.forget(id);
  }

  /**
   * Kills (SIGKILL, whole process group) every process an earlier run of this server left: after a kill -9 of the
   * server its triggers and tasks live on. Returns how many were found. Without an instance id it does nothing.
   */
  reapOrphans(): number {
    const { instanceId } = this.options;
    if (!instanceId) return 0;
    const ours = new Set([...this.processes.values()].map((t) => t.pid));
    const pids = pidsWithEnv(INSTANCE_ENV, instanceId).filter((pid) => !ours.has(pid));
    for (const pid of pids) {
      try {
        process.kill(-pid, "SIGKILL"); // a process group we started: the leader's pid is the group's id
      } catch {
        try {
          process.kill(pid, "SIGKILL"); // a child in a group whose leader is gone
        } catch {
          // gone meanwhile
        }
      }
    }
    if (pids.length > 0) this.options.logger.info("killed processes an earlier run of this server left", { pids });
    const dirs = this.launcher?.removeLeftOutput() ?? 0;
    if (dirs > 0) this.options.logger.info("deleted task output an earlier run of this server left", { dirs });
    return pids.length;
  }

  async close(timeoutMs: number): Promise<void> {
    await Promise.all([...this.processes.values()].map((t) => this.stop(t.id, timeoutMs)));
    await this.launcher?.close(timeoutMs);
  }

  /** Keeps at most keepExited exited processes, dropping the oldest ones that no logs() reader follows. */
  private forgetOldExited(): void {
    const keep = this.options.keepExited ?? 100;
    if (this.exitedCount <= keep) return;
    for (const [id, t] of this.processes) {
      if (this.exitedCount <= keep) break;
      if (t.status && t.followers.size === 0) this.forget(id);
    }
  }

  /** Drops an exited process. */
  private forget(id: string): void {
    if (this.processes.delete(id)) this.exitedCount -= 1;
  }

  private get(id: string): Tracked {
    const tracked = this.processes.get(id);
    if (!tracked) throw new SchedulerError(`no process with id "${id}"`);
    return tracked;
  }

  private signal(tracked: Tracked, name: NodeJS.Signals): void {
    try {
      process.kill(-tracked.pid, name); // the whole process group: its leader's pid is the group's id
    } catch {
      try {
        process.kill(tracked.pid, name);
      } catch {
        // already gone
      }
    }
  }

  private append(tracked: Tracked, line: string): void {
    tracked.lines.push(line);
    const keep = this.options.keepLines ?? 10_000;
    if (tracked.lines.length > keep) {
      const excess = tracked.lines.length - keep;
      tracked.lines.splice(0, excess);
      tracked.dropped += excess;
    }
    this.notify(tracked);
  }

  private notify(tracked: Tracked): void {
    for (const wake of [...tracked.followers]) wake();
  }
}
