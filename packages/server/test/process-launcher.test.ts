// The process engine starting tasks through its task launcher (a long-lived /bin/sh): tasks get exactly their argv
// and env, their output in order, stops that escalate on the engine's clock, and a launcher that dies is noticed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock, systemClock } from "@gofer/kernel";
import { afterEach, describe, expect, test } from "vitest";
import { createLogger } from "winston";
import { INSTANCE_ENV, ProcessScheduler, pidsWithEnv } from "../src/scheduler/process-scheduler.js";
import type { ContainerSpec } from "../src/scheduler/scheduler.js";

const engines: ProcessScheduler[] = [];

function engine(options: Partial<ConstructorParameters<typeof ProcessScheduler>[0]> = {}): ProcessScheduler {
  const created = new ProcessScheduler({
    imageMap: {},
    clock: systemClock,
    logger: createLogger({ silent: true }),
    ...options,
  });
  engines.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close(1000)));
});

function task(name: string, argv: string[], env: Record<string, string> = {}): ContainerSpec {
  return { name, image: "img", env, entrypoint: argv, labels: { task: name } };
}

async function output(e: ProcessScheduler, id: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of e.logs(id)) lines.push(line);
  return lines;
}

/** Resolves with the first line of a running process's output that matches. */
async function lineMatching(e: ProcessScheduler, id: string, pattern: RegExp): Promise<string> {
  for await (const line of e.logs(id)) if (pattern.test(line)) return line;
  throw new Error(`${id} ended without a line matching ${pattern}`);
}

/** Resolves once pid is gone or a zombie (killed, not yet reaped by whoever adopted it); yields, never sleeps. */
async function ended(pid: number): Promise<boolean> {
  for (let turn = 0; turn < 10_000; turn++) {
    let state: string | undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    } catch {
      return true;
    }
    if (state === "Z" || state === "X") return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

const HOSTILE = 'it\'s "quoted"\nsecond line $HOME `id` \\ ünï ✓';

describe("process engine through the task launcher", () => {
  test("a task gets exactly its env (plus the instance mark) and its argv, whatever they hold", async () => {
    const e = engine({ instanceId: "inst1" });
    const env = { PATH: "/usr/bin:/bin", HOSTILE, EMPTY: "" };
    const envTask = await e.start(task("env", ["/usr/bin/env", "-0"], env));
    const printed = (await output(e, envTask.id)).join("\n").split("\0").slice(0, -1).sort();
    expect(printed).toEqual(["EMPTY=", `${INSTANCE_ENV}=inst1`, `HOSTILE=${HOSTILE}`, "PATH=/usr/bin:/bin"]);
    expect(e.launcherPid()).toBeTypeOf("number");

    const args = [HOSTILE, "'", "", "-n", "$(id)"];
    const argTask = await e.start(task("args", ["/bin/sh", "-c", `printf '%s\\0' "$@"`, "sh", ...args]));
    expect((await output(e, argTask.id)).join("\n").split("\0").slice(0, -1)).toEqual(args);
    expect(await e.wait(argTask.id)).toEqual({ exitCode: 0 });
  });

  test("stdout and stderr arrive as one list of lines in the order they were written", async () => {
    const e = engine();
    const { id } = await e.start(task("order", ["/bin/sh", "-c", "echo 1; echo 2 >&2; echo 3; echo 4 >&2; printf 5"]));
    expect(await e.wait(id)).toEqual({ exitCode: 0 });
    expect(await output(e, id)).toEqual(["1", "2", "3", "4", "5"]);
  });

  test("a missing executable is a start failure naming the image and argv, not an exit", async () => {
    const e = engine();
    await expect(e.start(task("missing", ["/nonexistent/program", "x"]))).rejects.toThrow(
      'could not start "img" as ["/nonexistent/program","x"]: spawn /nonexistent/program ENOENT',
    );
    await expect(e.start(task("dir", ["/tmp"]))).rejects.toThrow(/spawn \/tmp EACCES$/);
    expect(await e.list({})).toEqual([]);
  });

  test("exit codes and signals come back as docker reports them", async () => {
    const e = engine();
    const failed = await e.start(task("fail", ["/bin/sh", "-c", "exit 3"]));
    const killed = await e.start(task("killed", ["/bin/sh", "-c", "kill -KILL $$"]));
    expect(await e.wait(failed.id)).toEqual({ exitCode: 3 });
    expect(await e.wait(killed.id)).toEqual({ exitCode: 137 });
    expect(await e.inspect(failed.id)).toEqual({
      state: "exited",
      id: failed.id,
      labels: { task: "fail" },
      exitCode: 3,
    });
  });

  test("many tasks started at once each get their own output and status", async () => {
    const e = engine({ keepExited: 200 });
    const started = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        e.start(task(`many${i}`, ["/bin/sh", "-c", `echo task ${i}; exit ${i % 7}`])),
      ),
    );
    const ends = await Promise.all(
      started.map(async ({ id }) => ({ status: await e.wait(id), lines: await output(e, id) })),
    );
    expect(ends).toEqual(started.map((_, i) => ({ status: { exitCode: i % 7 }, lines: [`task ${i}`] })));
  });

  test("a follower gets lines while the task runs; a late reader gets the kept lines", async () => {
    const e = engine({ keepLines: 5 });
    const { id } = await e.start(task("follow", ["/bin/sh", "-c", "echo first; sleep 30"]));
    await lineMatching(e, id, /^first$/); // only a live follower can see it: the task is still sleeping
    expect((await e.inspect(id)).state).toBe("running");
    await e.stop(id, 10_000);
    expect(await output(e, id)).toEqual(["first"]);

    const many = await e.start(task("many-lines", ["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do echo $i; done"]));
    await e.wait(many.id);
    expect(await output(e, many.id)).toEqual(["4", "5", "6", "7", "8"]);
  });

  test("a task ends when its whole process group has: output of children it left behind is kept", async () => {
    const e = engine();
    const { id } = await e.start(task("leftover", ["/bin/sh", "-c", "(sleep 0.2; echo late) & echo early"]));
    expect(await e.wait(id)).toEqual({ exitCode: 0 });
    expect(await output(e, id)).toEqual(["early", "late"]);
  });

  test("stop sends SIGTERM to the group, then SIGKILL once the engine's clock passes the timeout", async () => {
    const clock = new FakeClock();
    const e = engine({ clock });
    const obeys = await e.start(task("obeys", ["/bin/sh", "-c", "echo ready; sleep 30 & wait"]));
    await lineMatching(e, obeys.id, /^ready$/);
    await e.stop(obeys.id, 5_000);
    expect(await e.wait(obeys.id)).toEqual({ exitCode: 143, reason: "stopped" });

    const stubborn = await e.start(task("stubborn", ["/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30 & wait"]));
    await lineMatching(e, stubborn.id, /^ready$/);
    const stopping = e.stop(stubborn.id, 5_000);
    await clock.waitForSleepers(1);
    await clock.advance(5_000);
    await stopping;
    expect(await e.wait(stubborn.id)).toEqual({ exitCode: 137, reason: "killed after 5000 ms" });
  });

  test("a launcher killed mid-task: its tasks are reported exited with the reason and killed; the next start gets a new one", async () => {
    const e = engine({ instanceId: "inst-crash" });
    const { id } = await e.start(task("victim", ["/bin/sh", "-c", "echo running; sleep 30"]));
    await lineMatching(e, id, /^running$/);
    const taskPid = pidsWithEnv(INSTANCE_ENV, "inst-crash")[0] as number;
    const first = e.launcherPid() as number;
    process.kill(first, "SIGKILL");
    expect(await e.wait(id)).toEqual({
      exitCode: null,
      reason: "the task launcher exited unexpectedly (signal SIGKILL): the task was killed",
    });
    expect(await ended(taskPid)).toBe(true);

    const next = await e.start(task("after", ["/bin/sh", "-c", "echo again"]));
    expect(await e.wait(next.id)).toEqual({ exitCode: 0 });
    expect(await output(e, next.id)).toEqual(["again"]);
    expect(e.launcherPid()).not.toBe(first);
  });

  test("triggers (a listen address) and env the shell cannot pass are spawned directly, exactly", async () => {
    const e = engine();
    const trigger = await e.start({
      ...task("trigger", ["/usr/bin/env", "-0"], { PATH: "/usr/bin:/bin" }),
      listen: { containerPort: 8080, addressEnv: "GOFER_PLUGIN_SYSTEM_HOST" },
    });
    expect(trigger.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await output(e, trigger.id)).join("").split("\0").slice(0, -1).sort()).toEqual([
      `GOFER_PLUGIN_SYSTEM_HOST=${trigger.address}`,
      "PATH=/usr/bin:/bin",
    ]);
    expect(e.launcherPid()).toBeUndefined();

    const odd = await e.start(task("odd", ["/usr/bin/env", "-0"], { PATH: "/usr/bin:/bin", "my.var": "1", IFS: ":" }));
    expect((await output(e, odd.id)).join("").split("\0").slice(0, -1).sort()).toEqual([
      "IFS=:",
      "PATH=/usr/bin:/bin",
      "my.var=1",
    ]);
  });

  test("its tasks carry the instance mark, so a later run of the server reaps what this one left", async () => {
    const parent = mkdtempSync(join(tmpdir(), "gofer-launcher-test-"));
    try {
      const e = engine({ instanceId: "inst-reap", outputParent: parent });
      const { id } = await e.start(task("left", ["/bin/sh", "-c", "echo up; sleep 30"]));
      await lineMatching(e, id, /^up$/);
      const other = engine({ instanceId: "another", outputParent: parent });
      await other.start(task("other", ["/bin/sh", "-c", "echo hi"]));
      expect(readdirSync(parent)).toHaveLength(2);

      const later = engine({ instanceId: "inst-reap", outputParent: parent });
      expect(later.reapOrphans()).toBeGreaterThanOrEqual(1); // the task's shell, and its sleep
      expect(await e.wait(id)).toEqual({ exitCode: 137 });
      // The earlier run's output directory is gone; another server's is not.
      expect(readdirSync(parent).map((name) => name.replace(/-[^-]+$/, ""))).toEqual(["gofer-tasks-another"]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("a program found once and deleted since exits 127 saying so; a deleted output directory is made anew", async () => {
    const parent = mkdtempSync(join(tmpdir(), "gofer-launcher-test-"));
    try {
      const bin = join(parent, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "prog"), "#!/bin/sh\necho prog ran\n", { mode: 0o755 });
      const e = engine({ outputParent: parent });
      const env = { PATH: `${bin}:/usr/bin:/bin` };
      const first = await e.start(task("prog1", ["prog"], env));
      expect(await e.wait(first.id)).toEqual({ exitCode: 0 });
      expect(await output(e, first.id)).toEqual(["prog ran"]);

      rmSync(join(bin, "prog"));
      const second = await e.start(task("prog2", ["prog"], env));
      expect(await e.wait(second.id)).toEqual({ exitCode: 127 });
      expect((await output(e, second.id)).join("\n")).toMatch(/prog: No such file or directory/);

      for (const name of readdirSync(parent))
        if (name.startsWith("gofer-tasks-")) rmSync(join(parent, name), { recursive: true });
      const third = await e.start(task("again", ["/bin/sh", "-c", "echo still here"]));
      expect(await e.wait(third.id)).toEqual({ exitCode: 0 });
      expect(await output(e, third.id)).toEqual(["still here"]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("close stops the tasks and the launcher and removes its output files", async () => {
    const parent = mkdtempSync(join(tmpdir(), "gofer-launcher-test-"));
    try {
      const e = new ProcessScheduler({
        imageMap: {},
        clock: systemClock,
        logger: createLogger({ silent: true }),
        outputParent: parent,
      });
      const { id } = await e.start(task("running", ["/bin/sh", "-c", "echo up; sleep 30"]));
      await lineMatching(e, id, /^up$/);
      const launcher = e.launcherPid() as number;
      expect(readdirSync(parent)).toHaveLength(1);
      await e.close(5_000);
      expect(await e.wait(id)).toEqual({ exitCode: 143, reason: "stopped" });
      expect(await ended(launcher)).toBe(true);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
