// Fault: the Docker daemon restarts under a running server. So that it can never disturb other tests or a shared
// daemon, it runs on a private dockerd of its own (own socket, data, exec root and pidfile; no bridge, no iptables)
// with the two images it needs copied from the main daemon (docker save | docker load), and the server in a child
// process whose DOCKER_HOST points at it. The daemon is stopped with SIGTERM (which stops every container, as a
// daemon restart does) and started again with the same command line. Then:
//   - the server noticed: it logged that it lost its trigger and restarts it;
//   - the trigger runs again and runs resume within RESUME_MS of the daemon answering again;
//   - no event is lost: every FIRED event has its RESOLVED event;
//   - no run number is used twice, and none is skipped;
//   - once the server stops, no container of it runs on the daemon.
// It needs root and dockerd, so it runs only with GOFER_FAULTS_DOCKER_RESTART=1 (`pnpm test:docker-restart`, which
// .ci/run runs after `pnpm test`); otherwise it is skipped saying so.
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Event, Trigger_TriggerState } from "@gofer/proto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { INTERVAL_IMAGE, pipelineConfig, TASK_IMAGE } from "./docker-harness.js";
import { type ChildServer, startChildServer } from "./server-harness.js";

const ENABLED = process.env.GOFER_FAULTS_DOCKER_RESTART === "1";
if (!ENABLED) {
  console.warn(
    "docker daemon restart fault test skipped: set GOFER_FAULTS_DOCKER_RESTART=1 (pnpm test:docker-restart) to run it; it starts a private dockerd and needs root",
  );
}

/** After the daemon answers again, runs must resume within this time. */
const RESUME_MS = 60_000;
const run = promisify(execFile);

class PrivateDockerd {
  readonly dir = mkdtempSync(join(tmpdir(), "gofer-dr-"));
  readonly socket = join(this.dir, "docker.sock");
  readonly host = `unix://${this.socket}`;
  private readonly pidfile = join(this.dir, "docker.pid");
  private process: ChildProcess | undefined;

  /** The same command line every time, as a restart by an operator would use. */
  private readonly args = [
    "--host",
    this.host,
    "--data-root",
    join(this.dir, "data"),
    "--exec-root",
    join(this.dir, "exec"),
    "--pidfile",
    this.pidfile,
    "--bridge",
    "none",
    "--iptables=false",
  ];

  async start(): Promise<void> {
    const log = openSync(join(this.dir, "dockerd.log"), "a");
    this.process = spawn("dockerd", this.args, { stdio: ["ignore", log, log], detached: true });
    await vi.waitFor(() => expect(this.answers()).toBe(true), { timeout: 60_000, interval: 250 });
  }

  answers(): boolean {
    return spawnSync("docker", ["--host", this.host, "info"], { stdio: "ignore", timeout: 10_000 }).status === 0;
  }

  /** SIGTERM, then waits until the process has exited and the socket no longer answers. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    await vi.waitFor(() => expect(this.answers()).toBe(false), { timeout: 30_000, interval: 250 });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  docker(args: readonly string[]) {
    return run("docker", ["--host", this.host, ...args], { maxBuffer: 16 * 1024 * 1024 });
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, "dockerd.log"), "utf8");
    } catch {
      return "";
    }
  }

  /** Stops the daemon, unmounts what it left mounted under its directory (its netns), and removes the directory. */
  async destroy(): Promise<void> {
    await this.stop();
    // A container the daemon was still creating or running when it stopped keeps its containerd shim (and runc) alive
    // after the daemon is gone: end every process that names this daemon's directory, and everything under them.
    killProcessTree(processesMentioning(this.dir));
    const mounts = readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[1] ?? "")
      .filter((path) => path.startsWith(`${this.dir}/`))
      .sort()
      .reverse();
    for (const path of mounts) spawnSync("umount", [path], { stdio: "ignore" });
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Pids of the processes whose command line names `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** SIGKILL to the given processes and all their descendants (found through /proc/<pid>/stat's parent pid). */
function killProcessTree(roots: number[]): void {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 2nd field after the ")" that closes the command name.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const visit = (pid: number) => {
    all.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  for (const root of roots) visit(root);
  for (const pid of all) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function runNumbers(s: ChildServer, pipelineId: string): Promise<number[]> {
  const { runs } = await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId });
  return runs.map((r) => Number(r.id)).sort((a, b) => a - b);
}

async function allEvents(s: ChildServer): Promise<Event[]> {
  const events: Event[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false })) events.push(item.event as Event);
  return events;
}

describe.skipIf(!ENABLED)("the Docker daemon restarted under a running server", () => {
  let daemon: PrivateDockerd;
  let server: ChildServer | undefined;
  let dataDir = "";

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gofer-dr-server-"));
    daemon = new PrivateDockerd();
    await daemon.start();
    // The images, from the main daemon (built by the test setup or `pnpm images`).
    const copied = spawnSync(
      "bash",
      ["-o", "pipefail", "-c", `docker save ${INTERVAL_IMAGE} ${TASK_IMAGE} | docker --host ${daemon.host} load`],
      { encoding: "utf8", timeout: 300_000 },
    );
    if (copied.status !== 0) throw new Error(`could not copy the images to the private daemon: ${copied.stderr}`);
  }, 400_000);

  afterAll(async () => {
    await server?.kill("SIGKILL");
    await daemon?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  test("the server notices, restarts its trigger, runs resume, no event is lost, no run number repeats, nothing is left running", async () => {
    const s = await startChildServer(
      dataDir,
      "docker",
      {
        "scheduler.docker.network": "host",
        "external_events_api.host": "127.0.0.1:0",
        task_execution_stop_timeout: "2s",
      },
      { ...process.env, DOCKER_HOST: daemon.host },
    );
    server = s;
    await s.api.installTrigger({
      name: "interval",
      image: INTERVAL_IMAGE,
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    await s.api.createPipeline({
      namespaceId: "default",
      pipelineConfig: pipelineConfig(
        "tick",
        [{ id: "hello", command: ["sh", "-c", "echo hello"] }],
        [{ name: "interval", label: "every", settings: { EVERY: "1s" } }],
      ),
    });
    await vi.waitFor(async () => expect((await runNumbers(s, "tick")).length).toBeGreaterThanOrEqual(2), {
      timeout: 60_000,
      interval: 250,
    });

    await daemon.restart();
    const runsAtRestart = (await runNumbers(s, "tick")).length;

    // Noticed, and back: the trigger runs again and makes runs.
    await vi.waitFor(
      async () => {
        expect(s.stderr()).toMatch(/lost track of the trigger; restarting it|trigger exited unexpectedly; restarting/);
        expect((await s.api.getTrigger({ name: "interval" })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
        expect((await runNumbers(s, "tick")).length).toBeGreaterThanOrEqual(runsAtRestart + 2);
      },
      { timeout: RESUME_MS, interval: 500 },
    );

    // Stop the events, then account for every one of them.
    await s.api.disableTrigger({ name: "interval" });
    let last = -1;
    await vi.waitFor(
      async () => {
        const now = (await allEvents(s)).length;
        const settled = now === last;
        last = now;
        expect(settled).toBe(true);
      },
      { timeout: 30_000, interval: 1000 },
    );
    const events = await allEvents(s);
    const fired = events.filter((e) => e.kind === "FIRED_TRIGGER_EVENT").length;
    const resolved = events.filter((e) => e.kind === "RESOLVED_TRIGGER_EVENT").length;
    expect(fired).toBeGreaterThan(0);
    expect(resolved).toBe(fired);
    const numbers = await runNumbers(s, "tick");
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));

    await s.kill("SIGTERM");
    server = undefined;
    const { stdout } = await daemon.docker(["ps", "--quiet", "--filter", `label=gofer.instance=${s.instanceId}`]);
    expect(stdout.trim()).toBe("");
  }, 400_000);
});
