// Names and sizes are checked at the API for every entry point, with INVALID_ARGUMENT naming the field, its size and
// the limit (validation/input-limits.ts), and list answers stay under gRPC's 4 MB whatever is stored.
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INPUT_LIMITS } from "../src/validation/input-limits.js";
import { startTestServer, type TestServer } from "./server-harness.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
}, 30_000);
afterAll(() => s?.destroy());

type Task = {
  id: string;
  description: string;
  image: string;
  registryAuth: undefined;
  dependsOn: Record<string, number>;
  variables: Record<string, string>;
  entrypoint: string[];
  command: string[];
};

function task(id: string, patch: Partial<Task> = {}) {
  return {
    task: {
      $case: "customTask" as const,
      value: {
        id,
        description: "",
        image: "gofer-task-test:latest",
        registryAuth: undefined,
        dependsOn: {},
        variables: {},
        entrypoint: [],
        command: ["sh", "-c", "echo hello"],
        ...patch,
      },
    },
  };
}

function pipeline(id: string, patch: { description?: string; tasks?: ReturnType<typeof task>[] } = {}) {
  return {
    id,
    name: id,
    description: patch.description ?? "",
    parallelism: 0n,
    tasks: patch.tasks ?? [task("hello")],
    triggers: [],
  };
}

/** The status of a call that must fail: code and message. */
async function refusal(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  return call.then(
    () => {
      throw new Error("the call succeeded");
    },
    (e: { code: number; details: string }) => ({ code: e.code, details: e.details }),
  );
}

const invalid = (details: string) => ({ code: status.INVALID_ARGUMENT, details });
const POSIX = "must match [A-Za-z_][A-Za-z0-9_]* (a POSIX environment variable name)";
const create = (config: ReturnType<typeof pipeline>) =>
  s.api.createPipeline({ namespaceId: "default", pipelineConfig: config });

describe("names are checked before anything is stored", () => {
  test.each([
    [
      "a name with =",
      "PATH=/evil:",
      `pipeline "v1" task "hello": variables: "PATH=/evil:" is not a valid name: it ${POSIX}`,
    ],
    ["an empty name", "", `pipeline "v1" task "hello": variables: "" is not a valid name: it ${POSIX}`],
    ["a name with NUL", "A\0B", `pipeline "v1" task "hello": variables: "A\\u0000B" is not a valid name: it ${POSIX}`],
    [
      "a name starting with a digit",
      "1A",
      `pipeline "v1" task "hello": variables: "1A" is not a valid name: it ${POSIX}`,
    ],
  ])("a task variable: %s", async (_what, name, message) => {
    const config = pipeline("v1", { tasks: [task("hello", { variables: { [name]: "y" } })] });
    expect(await refusal(create(config))).toEqual(invalid(message));
    await expect(s.api.getPipeline({ namespaceId: "default", id: "v1" })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  test.each([
    ["a newline", "ubuntu\n:latest", 'image "ubuntu\\n:latest" contains a control character (newline, NUL, …)'],
    ["a NUL", "ubuntu\0", 'image "ubuntu\\u0000" contains a control character (newline, NUL, …)'],
    ["a space", "ubuntu latest", 'image "ubuntu latest" contains whitespace'],
  ])("an image with %s", async (_what, image, message) => {
    const config = pipeline("i1", { tasks: [task("hello", { image })] });
    expect(await refusal(create(config))).toEqual(invalid(`pipeline "i1" task "hello": ${message}`));
  });

  test("a NUL in a command argument; a newline there is fine (sh -c scripts)", async () => {
    const bad = pipeline("c1", { tasks: [task("hello", { command: ["sh", "-c", "echo a\0b"] })] });
    expect(await refusal(create(bad))).toEqual(
      invalid('pipeline "c1" task "hello": command[2] "echo a\\u0000b" contains a NUL character'),
    );
    const good = pipeline("c2", { tasks: [task("hello", { command: ["sh", "-c", "echo a\necho b"] })] });
    await expect(create(good)).resolves.toBeDefined();
  });

  test("StartRun variables named X=Y are refused", async () => {
    await create(pipeline("run-vars"));
    const call = s.api.startRun({
      namespaceId: "default",
      pipelineId: "run-vars",
      variables: { "X=Y": "1" },
      initiator: undefined,
    });
    expect(await refusal(call)).toEqual(invalid(`run variables: "X=Y" is not a valid name: it ${POSIX}`));
    expect(
      (await s.api.listRuns({ namespaceId: "default", pipelineId: "run-vars", offset: 0n, limit: 0n })).runs,
    ).toEqual([]);
  });

  test("InstallTrigger variables and images are checked", async () => {
    const install = (patch: { image?: string; variables?: Record<string, string> }) =>
      s.api.installTrigger({
        name: "t1",
        image: patch.image ?? "gofer-trigger-interval:latest",
        user: "",
        pass: "",
        variables: patch.variables ?? {},
      });
    expect(await refusal(install({ variables: { "A B": "1" } }))).toEqual(
      invalid(`trigger "t1": variables: "A B" is not a valid name: it ${POSIX}`),
    );
    expect(await refusal(install({ image: "img\n" }))).toEqual(
      invalid('trigger "t1": image "img\\n" contains a control character (newline, NUL, …)'),
    );
  });
});

describe("common-task installs are checked", () => {
  test("bad variable names are refused and nothing is installed; good ones are installed", async () => {
    const install = (variables: Record<string, string>) =>
      s.api.installCommonTask({ name: "ct", image: "img:1", user: "", pass: "", variables, documentation: "" });
    expect(await refusal(install({ "A=B": "1" }))).toEqual(
      invalid(`common task "ct": variables: "A=B" is not a valid name: it ${POSIX}`),
    );
    expect((await s.api.listCommonTasks({})).commonTasks).toEqual([]);
    await install({ A: "1" });
    expect((await s.api.listCommonTasks({})).commonTasks.map((t) => t.name)).toEqual(["ct"]);
  });
});

describe("sizes are limited, and the message names the field, its size and the limit", () => {
  test("a description over 4 KB", async () => {
    const config = pipeline("d1", { description: "x".repeat(5000) });
    expect(await refusal(create(config))).toEqual(
      invalid('pipeline "d1": description is 5000 bytes; the limit is 4096 bytes'),
    );
  });

  test("more than 1,000 tasks is refused; exactly 1,000 is stored", async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => task(`t${i}`));
    expect(await refusal(create(pipeline("big", { tasks: many(1001) })))).toEqual(
      invalid('pipeline "big" has 1001 tasks; the limit is 1000'),
    );
    await create(pipeline("big", { tasks: many(INPUT_LIMITS.tasksPerPipeline) }));
    const stored = await s.api.getPipeline({ namespaceId: "default", id: "big" });
    expect(Object.keys(stored.pipeline?.customTasks ?? {})).toHaveLength(1000);
  }, 30_000);

  test("more than 256 variables on a task", async () => {
    const variables = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`V${i}`, "x"]));
    const config = pipeline("vars", { tasks: [task("hello", { variables })] });
    expect(await refusal(create(config))).toEqual(
      invalid('pipeline "vars" task "hello": variables has 257 entries; the limit is 256'),
    );
  });

  test("a value over 64 KB", async () => {
    const config = pipeline("val", { tasks: [task("hello", { variables: { BIG: "x".repeat(65_537) } })] });
    expect(await refusal(create(config))).toEqual(
      invalid('pipeline "val" task "hello": variables: BIG is 65537 bytes; the limit is 65536 bytes'),
    );
  });

  test("a whole config over 1 MB, though every value is within its limit", async () => {
    const arg = "x".repeat(60_000);
    const tasks = Array.from({ length: 20 }, (_, i) => task(`t${i}`, { command: ["echo", arg] }));
    const { code, details } = await refusal(create(pipeline("whole", { tasks })));
    expect(code).toBe(status.INVALID_ARGUMENT);
    expect(details).toMatch(/^pipeline "whole": config is 12\d{5} bytes; the limit is 1048576 bytes$/);
  });

  test("namespaces and tokens are bounded too", async () => {
    expect(await refusal(s.api.createNamespace({ id: "n1", name: "n1", description: "y".repeat(4097) }))).toEqual(
      invalid('namespace "n1": description is 4097 bytes; the limit is 4096 bytes'),
    );
    const metadata = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, "v"]));
    expect(await refusal(s.api.createToken({ kind: 2, namespaces: ["default"], metadata, expires: "24h" }))).toEqual(
      invalid("token metadata has 300 entries; the limit is 256"),
    );
  });
});

describe("ids out of range are a usage error, not a rounded echo", () => {
  test.each([
    ["GetRun", () => s.api.getRun({ namespaceId: "default", pipelineId: "run-vars", id: 9223372036854775807n })],
    [
      "CancelRun",
      () => s.api.cancelRun({ namespaceId: "default", pipelineId: "run-vars", runId: 2n ** 53n, force: false }),
    ],
  ])("%s", async (_method, call) => {
    const { code, details } = await refusal(call());
    expect(code).toBe(status.INVALID_ARGUMENT);
    expect(details).toMatch(/^run_id \d+ is out of range: ids are whole numbers from 0 to 9007199254740991$/);
  });

  test("GetEvent", async () => {
    expect(await refusal(s.api.getEvent({ id: 9223372036854775807n }))).toEqual(
      invalid("id 9223372036854775807 is out of range: ids are whole numbers from 0 to 9007199254740991"),
    );
  });
});

describe("list answers stay under 4 MB whatever is stored", () => {
  test("pipelines near the size limit are paged, and a 10 MB description stored before the limits is left out", async () => {
    await s.api.createNamespace({ id: "bulk", name: "bulk", description: "" });
    const arg = "x".repeat(60_000);
    const tasks = Array.from({ length: 15 }, (_, i) => task(`t${i}`, { command: ["echo", arg] }));
    for (let i = 0; i < 5; i++) {
      await s.api.createPipeline({ namespaceId: "bulk", pipelineConfig: pipeline(`p${i}`, { tasks }) });
    }
    // As a server without the limits could have stored it.
    const sqlite = new BetterSqlite3(join(s.dir, "gofer.db"));
    try {
      sqlite
        .prepare("UPDATE pipelines SET description = ? WHERE namespace_id = 'bulk' AND id = 'p0'")
        .run("d".repeat(10_000_000));
    } finally {
      sqlite.close();
    }

    const seen: string[] = [];
    let offset = 0n;
    for (let page = 0; page < 10; page++) {
      const { pipelines } = await s.api.listPipelines({ namespaceId: "bulk", offset, limit: 0n });
      if (pipelines.length === 0) break;
      // Each answer arrived, so each was under the client's 4 MB receive limit.
      seen.push(...pipelines.map((p) => p.id));
      const p0 = pipelines.find((p) => p.id === "p0");
      if (p0) expect(p0.description).toBe("(description of 10000000 characters left out)");
      offset += BigInt(pipelines.length);
    }
    expect(seen.sort()).toEqual(["p0", "p1", "p2", "p3", "p4"]);
  }, 60_000);

  test("an event stored before the limits with 5 MB of details does not break ListEvents", async () => {
    const details = JSON.stringify({
      namespace_id: "default",
      pipeline_id: "huge",
      name: "interval",
      label: "every",
      result: { details: "r".repeat(5_000_000), state: "SUCCESS" },
      metadata: {},
    });
    const sqlite = new BetterSqlite3(join(s.dir, "gofer.db"));
    try {
      sqlite.prepare("INSERT INTO events (kind, details, emitted) VALUES ('FIRED_TRIGGER_EVENT', ?, 1)").run(details);
    } finally {
      sqlite.close();
    }
    const events: Array<{ kind: string; details: string }> = [];
    for await (const item of s.client.listEvents({ reverse: true, follow: false })) events.push(item.event);
    expect(JSON.parse(events[0]?.details ?? "{}")).toEqual({
      namespace_id: "default",
      pipeline_id: "huge",
      name: "interval",
      label: "every",
      omitted: `details of ${details.length} bytes left out: too large for one answer`,
    });
  });
});
