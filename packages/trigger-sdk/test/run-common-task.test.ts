import { describe, expect, it } from "vitest";
import { getConfig, getParameter, instructions, runCommonTask } from "../src/index.js";

const docs = instructions().message("hello").query("Turn on the filter? [true/false]", "filter").build();

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) };
}

describe("runCommonTask", () => {
  it("prints the instructions on one line in installer mode without running the task", async () => {
    const io = capture();
    let ran = false;
    const code = await runCommonTask(
      () => {
        ran = true;
        return 0;
      },
      docs,
      { argv: ["installer"], ...io },
    );
    expect(code).toBe(0);
    expect(ran).toBe(false);
    expect(io.out).toEqual([
      '{"instructions":[{"message":{"text":"hello"}},{"query":{"text":"Turn on the filter? [true/false]","config_key":"filter"}}]}',
    ]);
  });

  it("runs the task with its config and parameters and returns its exit code", async () => {
    const io = capture();
    const env = { GOFER_PLUGIN_CONFIG_FILTER: "true", GOFER_PLUGIN_PARAM_GREETING: "hi" };
    const code = await runCommonTask(
      ({ env: e, stdout }) => {
        stdout(`${getConfig("filter", e)} ${getParameter("greeting", e)}`);
        return 3;
      },
      docs,
      { argv: ["task"], env, ...io },
    );
    expect(code).toBe(3);
    expect(io.out).toEqual(["true hi"]);
  });

  it("turns a throw into exit 1 with the message, and refuses other modes with the usage", async () => {
    const io = capture();
    expect(
      await runCommonTask(
        () => {
          throw new Error("no artifact");
        },
        docs,
        { argv: ["task"], ...io },
      ),
    ).toBe(1);
    expect(io.err).toEqual(["common task failed: no artifact"]);
    expect(await runCommonTask(() => 0, docs, { argv: ["server"], ...io })).toBe(1);
    expect(io.err.at(-1)).toBe("Usage: ./commontask <task|installer>");
  });
});
