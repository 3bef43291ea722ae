// `gofer namespace …`, `gofer event …` (including --follow) and `gofer service toggle-event-ingress`.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliTestServer, GOFER_BIN, parseJson, startCliTestServer } from "./cli-harness.js";

interface NamespaceJson {
  id: string;
  name: string;
  description: string;
  created: number;
}

interface EventJson {
  id: number;
  kind: string;
  emitted: number;
  details: Record<string, unknown>;
}

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
});

afterAll(async () => {
  await t?.destroy();
});

test("namespace create, get, update (keeping what is not given), list and delete", async () => {
  const created = await t.gofer(["namespace", "create", "team_a", "Team A", "-d", "The A team", "--format", "json"]);
  expect(parseJson<NamespaceJson>(created)).toMatchObject({ id: "team_a", name: "Team A", description: "The A team" });

  await t.gofer(["namespace", "update", "team_a", "-n", "Team Alpha"]);
  expect(parseJson<NamespaceJson>(await t.gofer(["namespace", "get", "team_a", "--format", "json"]))).toMatchObject({
    name: "Team Alpha",
    description: "The A team",
  });

  const listed = await t.gofer(["namespaces", "list"]);
  expect(listed.stdout).toMatch(/^ID +NAME +DESCRIPTION +CREATED\n/);
  expect(listed.stdout).toMatch(/\nteam_a +Team Alpha +The A team +(just now|\d+ seconds? ago)\n/);

  expect((await t.gofer(["namespace", "delete", "team_a"])).code).toBe(0);
  expect((await t.gofer(["namespace", "get", "team_a"])).code).toBe(4);
});

test("event list prints the log oldest first (newest first with --reverse), and event get one event", async () => {
  const events = (await t.gofer(["event", "list", "--format", "json"])).stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as EventJson);
  const kinds = events.map((e) => e.kind);
  expect(kinds.lastIndexOf("CREATED_NAMESPACE")).toBeLessThan(kinds.indexOf("DELETED_NAMESPACE"));
  const reversed = (await t.gofer(["events", "list", "-r", "--format", "json"])).stdout.trim().split("\n");
  expect(JSON.parse(reversed[0] as string).id).toBe(events.at(-1)?.id);

  const created = events.find(
    (e) => e.kind === "CREATED_NAMESPACE" && e.details.namespace_id === "team_a",
  ) as EventJson;
  expect(parseJson<EventJson>(await t.gofer(["event", "get", String(created.id), "--format", "json"]))).toEqual(
    created,
  );
  expect(created.details).toEqual({ namespace_id: "team_a" });
});

test("event list --follow keeps printing events as they happen", async () => {
  const child = spawn(GOFER_BIN, ["--host", t.host, "event", "list", "--follow", "--format", "json"], {
    cwd: t.dir,
    env: { PATH: process.env.PATH ?? "", HOME: t.home },
  });
  try {
    let output = "";
    const seen = new Promise<void>((resolve) =>
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
        if (output.includes('"namespace_id":"followed"')) resolve();
      }),
    );
    // Once the history has arrived the stream is live; the new namespace's event must follow it.
    await new Promise<void>((resolve) =>
      child.stdout.on("data", () => (output.includes("DELETED_NAMESPACE") ? resolve() : undefined)),
    );
    expect((await t.gofer(["namespace", "create", "followed", "Followed"])).code).toBe(0);
    await seen;
    expect(output.trim().split("\n").at(-1)).toContain('"kind":"CREATED_NAMESPACE"');
  } finally {
    child.kill();
  }
});

test("service toggle-event-ingress turns trigger events off and on", async () => {
  expect(parseJson(await t.gofer(["service", "toggle-event-ingress", "--format", "json"]))).toEqual({
    event_ingress: false,
  });
  const back = await t.gofer(["service", "toggle-event-ingress"]);
  expect(back.stdout).toContain("Event ingress is now on");
});
