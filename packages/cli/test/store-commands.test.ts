// `gofer secret …`, `gofer pipeline store …`, `gofer run store …` and `gofer common-task …` against a real server,
// and the example pipeline that uses all three: a task reads a pipeline secret, writes a run object that a later
// task reads and a pipeline object that the next run reads, and the debug common task runs.
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { type CliTestServer, EXAMPLES_DIR, GOFER_BIN, parseJson, startCliTestServer } from "./cli-harness.js";

let t: CliTestServer;

beforeAll(async () => {
  t = await startCliTestServer();
});

afterAll(async () => {
  await t?.destroy();
});

async function ok(args: string[], input?: string) {
  const result = await t.gofer(args, input === undefined ? {} : { input });
  if (result.code !== 0) throw new Error(`gofer ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return result;
}

describe("secrets", () => {
  test("put reads stdin or a file and never echoes; get prints the value exactly; delete removes it", async () => {
    // A pipeline's secrets may be put before the pipeline exists (its trigger settings can then use them).
    const put = await ok(["secret", "pipeline", "put", "yaml_hello", "api_key"], "s3cr%t value\n");
    expect(put.stdout + put.stderr).not.toContain("s3cr%t");
    expect((await ok(["secret", "pipeline", "get", "yaml_hello", "api_key"])).stdout).toBe("s3cr%t value");
    const listed = parseJson<Array<{ key: string }>>(
      await ok(["secret", "pipeline", "list", "yaml_hello", "--format", "json"]),
    );
    expect(listed.map((k) => k.key)).toEqual(["api_key"]);
    const again = await t.gofer(["secret", "pipeline", "put", "yaml_hello", "api_key=other"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('pipeline secret "api_key" already exists');
    await ok(["secret", "pipeline", "put", "yaml_hello", "api_key=other", "--force"]);
    expect((await ok(["secret", "pipeline", "get", "yaml_hello", "api_key"])).stdout).toBe("other");
    await ok(["secret", "pipeline", "delete", "yaml_hello", "api_key"]);
    expect((await t.gofer(["secret", "pipeline", "get", "yaml_hello", "api_key"])).stderr).toContain(
      'pipeline secret "api_key" not found',
    );

    const empty = await t.gofer(["secret", "global", "put", "ci_token"]);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('no value for secret "ci_token" on standard input');
    await ok(["secret", "global", "put", "ci_token", "--file", GOFER_BIN]);
    const json = parseJson<{ key: string; secret: string }>(
      await ok(["secret", "global", "get", "ci_token", "--format", "json"]),
    );
    expect(json.key).toBe("ci_token");
    expect(json.secret.startsWith("#!")).toBe(true);
  });
});

describe("the example pipeline with a secret, objects and a common task", () => {
  test("runs twice: the run object reaches the next task, the pipeline object the next run", async () => {
    await ok(["secret", "pipeline", "put", "release", "deploy_key"], "k-123\n");
    await ok(["common-task", "install", "debug", "gofer-common-task-debug:latest", "-c", "filter=true"]);
    const listed = parseJson<Array<{ name: string; status: string }>>(
      await ok(["common-task", "list", "--format", "json"]),
    );
    expect(listed).toMatchObject([{ name: "debug", status: "ENABLED" }]);
    await ok(["pipeline", "create", join(EXAMPLES_DIR, "stores-pipeline", "pipeline.yaml")]);

    // The tasks run `gofer` from the host's PATH (process engine): put this checkout's first.
    const path = `${dirname(GOFER_BIN)}:${process.env.PATH}`;
    const run = async () => {
      const started = parseJson<{ id: number }>(
        await ok(["pipeline", "run", "release", "-v", `PATH=${path}`, "--format", "json"]),
      );
      await vi.waitFor(
        async () => {
          const got = parseJson<{ state: string; status: string }>(
            await ok(["run", "get", "release", String(started.id), "--format", "json"]),
          );
          expect(got.state).toBe("COMPLETE");
          expect(got.status).toBe("SUCCESSFUL");
        },
        { timeout: 60_000, interval: 200 },
      );
      return started.id;
    };
    const first = await run();
    expect((await ok(["taskrun", "logs", "release", String(first), "publish"])).stdout).toContain(
      `publishing: artifact of run ${first}`,
    );
    const debug = (await ok(["taskrun", "logs", "release", String(first), "show_env"])).stdout;
    expect(debug).toContain("GOFER_PLUGIN_PARAM_GREETING=hello");
    expect(debug).toContain("GOFER_API_TOKEN=[redacted]");
    expect((await ok(["pipeline", "store", "get", "release", "last_release"])).stdout).toBe(`run ${first}`);
    expect((await ok(["run", "store", "get", "release", String(first), "artifact"])).stdout).toBe(
      `artifact of run ${first}`,
    );

    const second = await run();
    expect((await ok(["pipeline", "store", "get", "release", "last_release"])).stdout).toBe(`run ${second}`);
    const objects = parseJson<Array<{ key: string }>>(
      await ok(["run", "store", "list", "release", String(second), "--format", "json"]),
    );
    expect(objects.map((o) => o.key)).toEqual(["artifact"]);
  }, 120_000);

  test("common-task disable --yes, enable, get and uninstall", async () => {
    await ok(["common-task", "disable", "debug", "--yes"]);
    expect(parseJson<{ status: string }>(await ok(["common-task", "get", "debug", "--format", "json"])).status).toBe(
      "DISABLED",
    );
    await ok(["common-task", "enable", "debug"]);
    await ok(["common-task", "uninstall", "debug"]);
    expect((await ok(["common-task", "list"])).stdout).toContain("No common tasks installed");
  });
});
