// Starts a trigger as a local command or as a docker container, captures its output and stops it.
//
// A command runs in its own process group so that stop() also reaches what a wrapper (a shell script, pnpm, tsx)
// started. A container runs attached through the docker CLI; since killing the CLI does not stop the container, stop()
// force-removes the container by the name given to it here.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Clock } from "@gofer/kernel/clock";
import type { TriggerTarget } from "./options.js";
import { waitAtMost } from "./wait-at-most.js";

/**
 * server: the long-running mode, with the given environment; an image runs on the host network with its default
 * entrypoint (which must be `./trigger server`). one-shot: `installer` or a usage probe; no environment beyond what
 * the executable needs to start, no network for an image; `arg` undefined means no argument at all.
 */
export type TriggerInvocation =
  | { readonly mode: "server"; readonly env: Readonly<Record<string, string>> }
  | { readonly mode: "one-shot"; readonly arg: string | undefined };

export interface ProcessPlan {
  readonly file: string;
  readonly args: readonly string[];
  /** The complete environment of the spawned process. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  /** For an image: the container to force-remove on stop. */
  readonly containerName: string | undefined;
  readonly dockerCommand: string | undefined;
  /** The command line for messages; environment values are never shown. */
  readonly commandLine: string;
}

// A command gets only what it needs to start (finding executables, a home and a temp dir) so that install config
// or GOFER_* variables from the caller's shell cannot leak into the checks.
const PASSED_THROUGH = ["PATH", "HOME", "TMPDIR", "TMP", "TEMP", "SYSTEMROOT"];

export function planTriggerProcess(
  target: TriggerTarget,
  invocation: TriggerInvocation,
  baseEnv: NodeJS.ProcessEnv = process.env,
  containerName = `gofer-conformance-${randomBytes(4).toString("hex")}`,
): ProcessPlan {
  const triggerEnv = invocation.mode === "server" ? invocation.env : {};
  if (target.kind === "command") {
    const env: Record<string, string> = {};
    for (const name of PASSED_THROUGH) {
      const value = baseEnv[name];
      if (value !== undefined) env[name] = value;
    }
    const modeArgs = invocation.mode === "server" ? ["server"] : invocation.arg === undefined ? [] : [invocation.arg];
    const args = [...(target.args ?? []), ...modeArgs];
    return {
      file: target.command,
      args,
      env: { ...env, ...triggerEnv },
      cwd: target.cwd,
      containerName: undefined,
      dockerCommand: undefined,
      commandLine: [target.command, ...args].join(" "),
    };
  }

  const docker = target.dockerCommand ?? "docker";
  const args = ["run", "--rm", "--name", containerName];
  if (invocation.mode === "server") {
    // `-e NAME` without a value makes the CLI copy the value from its own environment: PEM text and the key stay
    // out of the argument list.
    args.push("--network", "host", ...Object.keys(triggerEnv).flatMap((name) => ["-e", name]), target.image);
  } else {
    args.push("--network", "none", "--entrypoint", "./trigger", target.image);
    if (invocation.arg !== undefined) args.push(invocation.arg);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(baseEnv)) if (value !== undefined) env[name] = value;
  return {
    file: docker,
    args,
    env: { ...env, ...triggerEnv },
    cwd: undefined,
    containerName,
    dockerCommand: docker,
    commandLine: [docker, ...args].join(" "),
  };
}

export interface ExitStatus {
  /** The exit code, or null when killed by a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started (e.g. ENOENT). */
  readonly error: Error | undefined;
}

export function describeExit(status: ExitStatus): string {
  if (status.error) return `could not start: ${status.error.message}`;
  if (status.signal) return `was killed by ${status.signal}`;
  return `exited with code ${status.code}`;
}

const OUTPUT_LIMIT = 1 << 20;
const TERM_GRACE_MS = 3_000;
const KILL_WAIT_MS = 2_000;
const DOCKER_RM_TIMEOUT_MS = 20_000;
const STDIO_DRAIN_MS = 2_000;

class OutputBuffer {
  private text = "";
  append(chunk: Buffer): void {
    this.text += chunk.toString("utf8");
    if (this.text.length > OUTPUT_LIMIT) this.text = this.text.slice(-OUTPUT_LIMIT);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * One run of a trigger. States: running → exited (by itself, or through stop()). stop() is idempotent and bounded:
 * force-remove the container (image), SIGTERM the process group, SIGKILL it after a grace period.
 */
export class TriggerProcess {
  readonly commandLine: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private readonly stdoutBuffer = new OutputBuffer();
  private readonly stderrBuffer = new OutputBuffer();
  private readonly stdioClosed: Promise<void>;
  private status: ExitStatus | undefined;
  private stopping: Promise<ExitStatus> | undefined;

  private constructor(
    private readonly plan: ProcessPlan,
    private readonly clock: Clock,
  ) {
    this.commandLine = plan.commandLine;
    this.child = spawn(plan.file, [...plan.args], {
      env: { ...plan.env },
      cwd: plan.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child.stdout?.on("data", (chunk: Buffer) => this.stdoutBuffer.append(chunk));
    this.child.stderr?.on("data", (chunk: Buffer) => this.stderrBuffer.append(chunk));
    // A broken pipe only loses output; without a listener it would crash the suite.
    this.child.stdout?.on("error", () => undefined);
    this.child.stderr?.on("error", () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.status ??= { code, signal, error: undefined };
        resolve(this.status);
      });
      this.child.on("error", (error) => {
        // Only a failure to spawn ends the process here; a failed kill() also lands here and changes nothing.
        if (this.child.pid !== undefined) return;
        this.status ??= { code: null, signal: null, error };
        resolve(this.status);
      });
    });
    this.stdioClosed = new Promise((resolve) => this.child.once("close", () => resolve()));
  }

  static start(plan: ProcessPlan, clock: Clock): TriggerProcess {
    return new TriggerProcess(plan, clock);
  }

  get stdout(): string {
    return this.stdoutBuffer.toString();
  }

  get stderr(): string {
    return this.stderrBuffer.toString();
  }

  /** The exit status, once exited. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /**
   * Waits up to timeoutMs for the process to exit; then also waits (briefly) until its output is read to the end.
   * Resolves undefined if it is still running.
   */
  async waitForExit(timeoutMs: number, signal: AbortSignal): Promise<ExitStatus | undefined> {
    const status = await waitAtMost(this.exited, timeoutMs, this.clock, signal);
    if (status) await waitAtMost(this.stdioClosed, STDIO_DRAIN_MS, this.clock, signal);
    return status;
  }

  /** Stops the trigger if it is still running; safe to call twice (the second call shares the first). */
  stop(): Promise<ExitStatus> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<ExitStatus> {
    // Cleanup must finish even when the run is being aborted, so it uses its own (never aborted) signal.
    const never = new AbortController().signal;
    if (this.plan.containerName !== undefined && this.plan.dockerCommand !== undefined) {
      await removeContainer(this.plan.dockerCommand, this.plan.containerName, this.plan.env);
    }
    if (!this.status) {
      this.signalGroup("SIGTERM");
      if (!(await waitAtMost(this.exited, TERM_GRACE_MS, this.clock, never))) {
        this.signalGroup("SIGKILL");
        await waitAtMost(this.exited, KILL_WAIT_MS, this.clock, never);
      }
    }
    // Children a wrapper left behind are still in the group.
    this.signalGroup("SIGKILL");
    return this.status ?? { code: null, signal: null, error: new Error("did not exit after SIGKILL") };
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}

function removeContainer(docker: string, name: string, env: Readonly<Record<string, string>>): Promise<void> {
  return new Promise((resolve) => {
    execFile(docker, ["rm", "-f", name], { env: { ...env }, timeout: DOCKER_RM_TIMEOUT_MS }, () => resolve());
  });
}
