// The launcher's protocol: values reach /bin/sh exactly whatever bytes they hold, names the shell cannot pass are
// refused (the engine then spawns directly), reports parse, and output is cut into lines as node:readline does.
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { launchable, parseLauncherMessage, shellQuote } from "../src/scheduler/launcher-protocol.js";
import { LineSplitter } from "../src/scheduler/task-output-file.js";

/** What /bin/sh makes of the quoted words: each printed, NUL-terminated. */
function throughShell(values: string[]): string[] {
  // A first word of our own: printf with no words at all would still print one empty one.
  const script = `printf '%s\\0' start ${values.map(shellQuote).join(" ")}`;
  const out = execFileSync("/bin/sh", ["-c", script], { encoding: "utf8" });
  return out.split("\0").slice(1, -1);
}

const HOSTILE = [
  "it's",
  "'",
  "''",
  "a\nb\n",
  "\n",
  '"double" $HOME `id` $(id) \\ \\\\',
  "; rm -rf / #",
  "tab\there\r\nand cr",
  "ünïcödé ✓ 🐚",
  "-n",
  "",
  "x".repeat(100_000),
];

describe("launcher protocol", () => {
  test("quoted values reach the shell byte for byte: quotes, newlines, $, backslashes, any text", () => {
    expect(throughShell(HOSTILE)).toEqual(HOSTILE);
  });

  test("any string without NUL survives the quoting (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")),
          { maxLength: 5 },
        ),
        (values) => {
          // The shell sees UTF-8; a lone surrogate cannot be encoded, so compare what the encoding keeps.
          const encoded = values.map((v) => Buffer.from(v, "utf8").toString("utf8"));
          expect(throughShell(values)).toEqual(encoded);
        },
      ),
      { numRuns: 50 },
    );
  });

  test("the launcher takes valid shell names only, not the shell's own variables, and no NUL anywhere", () => {
    expect(launchable(["/bin/true"], { PATH: "/bin", GOFER_X: "it's\n", _private9: "" })).toBe(true);
    for (const name of ["A.B", "A-B", "9A", "", "A B", "IFS", "OPTIND", "PS4", "ENV", "LINENO", "PPID"]) {
      expect(launchable(["/bin/true"], { [name]: "v" }), name).toBe(false);
    }
    expect(launchable(["/bin/true"], { A: "a\0b" })).toBe(false);
    expect(launchable(["/bin/true", "a\0b"], {})).toBe(false);
    expect(launchable([], {})).toBe(false);
  });

  test("reads started and exited reports, and nothing else", () => {
    expect(parseLauncherMessage("S 12 3456")).toEqual({ kind: "started", n: 12, pid: 3456 });
    expect(parseLauncherMessage("X 12 143 1")).toEqual({ kind: "exited", n: 12, status: 143, hasOutput: true });
    expect(parseLauncherMessage("X 12 0 0")).toEqual({ kind: "exited", n: 12, status: 0, hasOutput: false });
    expect(parseLauncherMessage("sh: 1: syntax error")).toBeUndefined();
    expect(parseLauncherMessage("S 12 3456 extra")).toBeUndefined();
  });

  test("cuts lines at \\n, \\r\\n and a lone \\r, across chunk boundaries and split UTF-8, keeping a last partial line", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = Buffer.from("one\r\ntwo\rthree\n\nfünf ✓\r", "utf8");
    // Every split point: \r\n across two chunks and a multibyte character cut in half must not change the lines.
    for (let cut = 0; cut <= bytes.length; cut++) {
      lines.length = 0;
      const each = new LineSplitter((line) => lines.push(line));
      each.push(bytes.subarray(0, cut));
      each.push(bytes.subarray(cut));
      each.push(Buffer.from("\nlast"));
      each.end();
      expect(lines, `cut at ${cut}`).toEqual(["one", "two", "three", "", "fünf ✓", "last"]);
    }
    lines.length = 0;
    splitter.push(Buffer.from("a\r"));
    splitter.end();
    expect(lines).toEqual(["a"]);
  });
});
