import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseInstructions } from "@gofer/trigger-sdk";
import { describe, expect, it } from "vitest";

const COMMONTASK = fileURLToPath(new URL("../commontask", import.meta.url));
const run = promisify(execFile);

describe("./commontask", () => {
  it("prints its install instructions as one line in installer mode", async () => {
    const { stdout } = await run(COMMONTASK, ["installer"], { env: { PATH: process.env.PATH } });
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const parsed = parseInstructions(lines[0] as string);
    expect(parsed.instructions.at(-1)).toEqual({
      query: { text: "Turn on the filter? [true/false]", config_key: "filter" },
    });
  });

  it("prints the env in task mode, secret-looking values redacted", async () => {
    const env = {
      PATH: process.env.PATH,
      GOFER_PLUGIN_PARAM_GREETING: "hello",
      GOFER_PLUGIN_CONFIG_API_TOKEN: "tok-123",
      DB_PASSWORD: "hunter2",
    };
    const { stdout } = await run(COMMONTASK, ["task"], { env });
    expect(stdout).toContain("Printing out env vars");
    expect(stdout).toContain("GOFER_PLUGIN_PARAM_GREETING=hello");
    expect(stdout).toContain("GOFER_PLUGIN_CONFIG_API_TOKEN=[redacted]");
    expect(stdout).toContain("DB_PASSWORD=[redacted]");
    expect(stdout).not.toContain("tok-123");
    expect(stdout).not.toContain("hunter2");
  });

  it("shows every value when the filter is off, and refuses an unknown mode", async () => {
    const { stdout } = await run(COMMONTASK, ["task"], {
      env: { PATH: process.env.PATH, GOFER_PLUGIN_CONFIG_FILTER: "false", MY_TOKEN: "visible" },
    });
    expect(stdout).toContain("MY_TOKEN=visible");
    await expect(run(COMMONTASK, ["server"], { env: { PATH: process.env.PATH } })).rejects.toMatchObject({
      code: 1,
      stderr: "Usage: ./commontask <task|installer>\n",
    });
  });
});
