// `gofer run …` and `gofer taskrun …` against a real server: start a run, follow a task's logs while it runs, read
// runs and task runs back as JSON, cancel.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliTestServer, parseJson, startCliTestServer } from "./cli-harness.js";

interface RunJson {
  pipeline: string;
  id: number;
  state: string;
  status: string;
  trigger: { name: string; label: string };
  variables: Array<{ key: string; value: string; source: string }>;
}

interface TaskRunJson {
  id: string;
  state: string;
  status: string;
  exit_code: number;
}

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
  const file = `${t.dir}/counting.yaml`;
  writeFileSync(
    file,
    [
      "id: counting",
      "tasks:",
      "  - id: count",
      "    image: alpine:3",
      `    command: [sh, -c, 'for i in 1 2 3; do echo "$WORD $i"; sleep 0.6; done']`,
      "  - id: wait",
      "    image: alpine:3",
      "    command: [sleep, '30']",
    ].join("\n"),
  );
  const created = await t.gofer(["pipeline", "create", file]);
  if (created.code !== 0) throw new Error(created.stderr);
});

afterAll(async () => {
  await t?.destroy();
});

test("run start, then taskrun logs follows the task from before it starts until it ends", async () => {
  const started = await t.gofer(["run", "start", "counting", "-v", "WORD=line number", "--format", "json"]);
  expect(started.code).toBe(0);
  const run = parseJson<RunJson>(started);
  expect(run).toMatchObject({ pipeline: "counting", id: 1, trigger: { name: "manual", label: "api" } });
  expect(run.variables).toContainEqual({ key: "WORD", value: "line number", source: "RUN_OPTIONS" });

  const logs = await t.gofer(["taskrun", "logs", "counting", "1", "count"]);
  expect(logs.stderr).toBe("");
  expect(logs.code).toBe(0);
  expect(logs.stdout).toBe("line number 1\nline number 2\nline number 3\n");

  const json = await t.gofer(["taskrun", "logs", "counting", "1", "count", "--format", "json"]);
  expect(
    json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line)),
  ).toEqual([
    { line_num: 1, line: "line number 1" },
    { line_num: 2, line: "line number 2" },
    { line_num: 3, line: "line number 3" },
  ]);
});

test("taskrun get and list show the finished task as JSON", async () => {
  const taskRun = parseJson<TaskRunJson>(
    await t.gofer(["taskrun", "get", "counting", "1", "count", "--format", "json"]),
  );
  expect(taskRun).toMatchObject({ id: "count", state: "COMPLETE", status: "SUCCESSFUL", exit_code: 0 });
  const listed = parseJson<TaskRunJson[]>(await t.gofer(["taskruns", "list", "counting", "1", "--format", "json"]));
  expect(listed.map((r) => r.id).sort()).toEqual(["count", "wait"]);
});

test("run cancel stops a running run; run get and list then show it cancelled", async () => {
  const cancelled = await t.gofer(["run", "cancel", "counting", "1", "--force"]);
  expect(cancelled.code).toBe(0);
  expect(cancelled.stdout).toContain('Run #1 of pipeline "counting" cancelled');
  let run: RunJson | undefined;
  for (let attempt = 0; attempt < 20 && run?.state !== "COMPLETE"; attempt++) {
    run = parseJson<RunJson>(await t.gofer(["run", "get", "counting", "1", "--format", "json"]));
  }
  expect(run).toMatchObject({ state: "COMPLETE", status: "CANCELLED" });
  const runs = parseJson<RunJson[]>(await t.gofer(["runs", "list", "counting", "--format", "json"]));
  expect(runs.map((r) => [r.id, r.status])).toEqual([[1, "CANCELLED"]]);

  const pretty = await t.gofer(["run", "list", "counting"]);
  expect(pretty.stdout).toMatch(/^ID {2}STATE {5}STATUS {5}STARTED .* TRIGGERED BY\n1 {3}Complete {2}Cancelled {2}/);
});

test("logs of a task in a run that does not exist exit with the not-found code", async () => {
  const result = await t.gofer(["taskrun", "logs", "counting", "99", "count"]);
  expect(result.code).toBe(4);
  expect(result.stderr).toBe('gofer: run 99 of pipeline "counting" in namespace "default" not found\n');
});
