// The task launcher: a long-lived /bin/sh, child of the server, that starts task processes for the process engine.
// Why: node's spawn forks the whole server (fork() copies its page tables: milliseconds of event-loop time per task
// for a server of a few hundred MB), while a fork of a ~2 MB shell costs a fraction of that and happens in another
// process. The protocol is in launcher-protocol.ts; each task's output goes to a file of its own (task-output-file.ts).
//
// Lifecycle: started on the first start(), one per ProcessScheduler; if it dies, the tasks it owned are killed and
// reported as exited with the reason, and the next start() starts a new one; close() ends it and deletes its files.
// The shell runs in its own session (a Ctrl-C meant for the server does not reach it) and ends by itself when the
// server goes away (its stdin closes); tasks it left then are found by the engine's reapOrphans().
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, type FSWatcher, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import {
  FORGET_FINISHED_JOBS,
  type LauncherTools,
  launchCommand,
  launcherPrelude,
  parseLauncherMessage,
} from "./launcher-protocol.js";
import type { ExitStatus } from "./scheduler.js";
import { TaskOutputFile } from "./task-output-file.js";

/** A process started for the engine: its pid (also its process group id) and how it ends. */
export interface StartedProcess {
  pid: number;
  exit: Promise<ExitStatus>;
}

export interface TaskLauncherOptions {
  tools: LauncherTools;
  clock: Clock;
  logger: Logger;
  /** Where the per-launcher directory of output files is made. Default: the OS temp directory. */
  outputParent?: string;
  /** How that directory's name starts (a unique part follows). Default "gofer-tasks-". */
  outputPrefix?: string;
}

interface LaunchedTask {
  n: number;
  output: TaskOutputFile;
  pid?: number;
  started: (pid: number) => void;
  failed: (error: Error) => void;
  exited: (status: ExitStatus) => void;
}

interface Shell {
  child: ChildProcess;
  tasks: Map<number, LaunchedTask>;
  exited: Promise<void>;
  /** Commands not yet written to its stdin (send()). */
  unsent: string;
  /** How the shell ended, when it was not asked to. */
  lost?: string;
}

/** Starts between two `jobs` commands, which let the shell forget (and reap) its finished waiters. */
const FORGET_EVERY = 64;

export class TaskLauncher {
  private shell: Shell | undefined;
  private dir: string | undefined;
  private watcher: FSWatcher | undefined;
  private readonly outputs = new Map<string, TaskOutputFile>();
  private nextTask = 1;
  private startsSinceForget = 0;

  constructor(private readonly options: TaskLauncherOptions) {}

  /** Starts argv with exactly env; output lines go to onLine. Rejects when the launcher fails before the task runs. */
  start(argv: readonly string[], env: Readonly<Record<string, string>>, onLine: (line: string) => void) {
    const shell = this.ensureShell();
    const dir = this.ensureOutputDir();
    const n = this.nextTask++;
    const name = String(n);
    const output = new TaskOutputFile(join(dir, name), onLine);
    this.outputs.set(name, output);
    return new Promise<StartedProcess>((resolve, reject) => {
      let exited: (status: ExitStatus) => void = () => {};
      const exit = new Promise<ExitStatus>((resolveExit) => {
        exited = resolveExit;
      });
      shell.tasks.set(n, {
        n,
        output,
        started: (pid) => resolve({ pid, exit }),
        failed: reject,
        exited,
      });
      this.send(shell, launchCommand(this.options.tools, n, argv, env, output.path));
      this.startsSinceForget += 1;
      if (this.startsSinceForget >= FORGET_EVERY) this.forgetFinishedJobs(shell);
    });
  }

  /** The launcher shell's pid while it runs (for measuring its CPU use). */
  get pid(): number | undefined {
    return this.shell?.child.pid;
  }

  /**
   * CPU used by the launcher shell and by the waiters and tasks it has reaped, in ms (Linux /proc; undefined when no
   * launcher runs).
   */
  cpuUsageMs(): { ownMs: number; childrenMs: number } | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces, so cut at its closing parenthesis): utime is field 14.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = (i: number) => Number(fields[i - 3]);
      const msPerTick = 10; // USER_HZ is 100 on Linux
      return {
        ownMs: (ticks(14) + ticks(15)) * msPerTick,
        childrenMs: (ticks(16) + ticks(17)) * msPerTick,
      };
    } catch {
      return undefined;
    }
  }

  /** Ends the launcher (its tasks should have been stopped first) and deletes its output files. */
  async close(timeoutMs: number): Promise<void> {
    const shell = this.shell;
    this.shell = undefined;
    if (shell) {
      this.flush(shell);
      shell.child.stdin?.end();
      const deadline = new AbortController();
      const killed = this.options.clock.sleep(timeoutMs, deadline.signal).then(
        () => this.killGroup(shell.child.pid, "SIGKILL"),
        () => {},
      );
      await Promise.race([shell.exited, killed.then(() => shell.exited)]);
      deadline.abort();
    }
    this.watcher?.close();
    this.watcher = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /**
   * Deletes the output directories that an earlier launcher with the same prefix left (a server killed with -9
   * cannot delete its own); never this launcher's. Returns how many.
   */
  removeLeftOutput(): number {
    let removed = 0;
    for (const name of readdirSync(this.outputParent)) {
      const path = join(this.outputParent, name);
      if (!name.startsWith(this.outputPrefix) || path === this.dir) continue;
      rmSync(path, { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }

  private get outputParent(): string {
    return this.options.outputParent ?? tmpdir();
  }

  private get outputPrefix(): string {
    return this.options.outputPrefix ?? "gofer-tasks-";
  }

  private ensureShell(): Shell {
    if (this.shell) return this.shell;
    const { logger } = this.options;
    // An empty environment: each task's waiter exports exactly the task's variables (the shell adds only PWD, which
    // the waiter unsets). The extra argument only names the process in ps.
    const child = spawn("/bin/sh", ["-s", "gofer-task-launcher"], {
      env: {},
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let closed: () => void = () => {};
    const shell: Shell = { child, tasks: new Map(), exited: new Promise((resolve) => (closed = resolve)), unsent: "" };
    this.shell = shell;
    // Pending tasks are given up once the shell has exited and every writer of its stdout (it and its waiters) is
    // gone, so every report that was written is read first.
    const ends = new Set<"exit" | "output">();
    const ended = (end: "exit" | "output") => {
      ends.add(end);
      if (ends.size < 2) return;
      this.abandon(shell);
      closed();
    };
    child.stdin?.on("error", (error) => logger.warn("task launcher stdin failed", { error: error.message }));
    child.stdin?.write(launcherPrelude(this.options.tools));
    createInterface({
      input: child.stderr as NonNullable<typeof child.stderr>,
      crlfDelay: Number.POSITIVE_INFINITY,
    }).on("line", (line) => logger.warn("task launcher", { pid: child.pid, output: line }));
    createInterface({ input: child.stdout as NonNullable<typeof child.stdout>, crlfDelay: Number.POSITIVE_INFINITY })
      .on("line", (line) => this.received(shell, line))
      .on("close", () => ended("output"));
    const exited = (how: string, clean: boolean) => {
      if (ends.has("exit")) return;
      if (this.shell === shell) this.shell = undefined;
      if (!clean || shell.tasks.size > 0) {
        shell.lost = how;
        logger.warn("task launcher exited unexpectedly", { pid: child.pid, reason: how, tasks: shell.tasks.size });
        // Its waiters cannot be trusted to report any more: end the tasks, and the waiters (in its process group).
        for (const task of shell.tasks.values()) this.killGroup(task.pid, "SIGKILL");
        this.killGroup(child.pid, "SIGKILL");
      }
      ended("exit");
    };
    child.once("error", (error) => exited(`could not run /bin/sh: ${error.message}`, false));
    child.once("exit", (code, signal) => exited(signal ? `signal ${signal}` : `code ${code}`, code === 0));
    logger.debug("task launcher started", { pid: child.pid });
    return shell;
  }

  private ensureOutputDir(): string {
    // A temp cleaner may delete a directory that sat unchanged for days: then make a new one.
    if (this.dir && existsSync(this.dir)) return this.dir;
    this.watcher?.close();
    const dir = mkdtempSync(join(this.outputParent, this.outputPrefix));
    this.dir = dir;
    // One watch for all tasks; only writes ("change") matter: creation and deletion are the launcher's and ours.
    this.watcher = watch(dir, (event, name) => {
      if (event === "change" && name) this.outputs.get(name.toString())?.grew();
    });
    this.watcher.on("error", (error) => this.options.logger.warn("task output watch failed", { error: error.message }));
    return dir;
  }

  private received(shell: Shell, line: string): void {
    const message = parseLauncherMessage(line);
    const task = message ? shell.tasks.get(message.n) : undefined;
    if (!message || !task) {
      this.options.logger.warn("task launcher said something unexpected", { line });
      return;
    }
    if (message.kind === "started") {
      task.pid = message.pid;
      task.started(message.pid);
      return;
    }
    shell.tasks.delete(task.n);
    if (shell.tasks.size === 0) this.forgetFinishedJobs(shell);
    void this.finishOutput(task, message.hasOutput).then(() => task.exited({ exitCode: message.status }));
  }

  /** The shell is gone and nothing more will come: started tasks end with the reason, unstarted ones fail. */
  private abandon(shell: Shell): void {
    const reason = `the task launcher exited unexpectedly (${shell.lost ?? "its output closed"}): the task was killed`;
    for (const task of shell.tasks.values()) {
      if (task.pid === undefined) {
        task.failed(new Error(`the task launcher exited (${shell.lost ?? "its output closed"}) before it started`));
        void this.finishOutput(task, false);
      } else {
        void this.finishOutput(task, false).then(() => task.exited({ exitCode: null, reason }));
      }
    }
    shell.tasks.clear();
  }

  private async finishOutput(task: LaunchedTask, hasOutput: boolean): Promise<void> {
    const name = String(task.n);
    try {
      await task.output.finish(hasOutput);
    } catch (error) {
      this.options.logger.warn("could not read a task's output", { file: task.output.path, error: String(error) });
    } finally {
      this.outputs.delete(name);
    }
  }

  private forgetFinishedJobs(shell: Shell): void {
    this.startsSinceForget = 0;
    this.send(shell, FORGET_FINISHED_JOBS);
  }

  /**
   * Commands sent in one turn of the event loop reach the shell in one write at its end: runs that start together
   * (their start commits are shared) wake the shell once, not once each.
   */
  private send(shell: Shell, command: string): void {
    if (shell.unsent === "") setImmediate(() => this.flush(shell));
    shell.unsent += command;
  }

  private flush(shell: Shell): void {
    if (shell.unsent === "") return;
    shell.child.stdin?.write(shell.unsent);
    shell.unsent = "";
  }

  private killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}
