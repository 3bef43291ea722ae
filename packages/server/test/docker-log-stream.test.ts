// A container's log stream becomes lines: frames split anywhere, characters split across frames, stdout and stderr
// each keeping their own partial line, "\r\n", a last line without a newline, and TTY (raw) streams.
import { describe, expect, test } from "vitest";
import { dockerLogLines } from "../src/scheduler/docker-log-stream.js";
import { frame } from "./docker-fake-api.js";

async function lines(chunks: Array<Buffer | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of dockerLogLines(
    (async function* () {
      yield* chunks;
    })(),
  )) {
    out.push(line);
  }
  return out;
}

/** Cuts a buffer into pieces of `size` bytes, as a socket may deliver it. */
function cut(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return pieces;
}

describe("docker log stream", () => {
  test("frames become lines, in the order their lines complete", async () => {
    expect(await lines([frame(1, "one\ntwo\n"), frame(2, "err\n"), frame(1, "three\n")])).toEqual([
      "one",
      "two",
      "err",
      "three",
    ]);
  });

  test("a stream cut into 3-byte pieces gives the same lines, multi-byte characters intact", async () => {
    const bytes = Buffer.concat([frame(1, "héllo wörld ✓\n"), frame(2, "ошибка\n"), frame(1, "end\n")]);
    expect(await lines(cut(bytes, 3))).toEqual(["héllo wörld ✓", "ошибка", "end"]);
  });

  test("a line written in pieces is not torn by the other stream's output in between", async () => {
    expect(await lines([frame(1, "progr"), frame(2, "warning\n"), frame(1, "ess 50%\n")])).toEqual([
      "warning",
      "progress 50%",
    ]);
  });

  test("CRLF ends a line, empty lines stay, and a last line without a newline is kept", async () => {
    expect(await lines([frame(1, "a\r\n\nb"), frame(2, "tail")])).toEqual(["a", "", "b", "tail"]);
  });

  test("a TTY container's raw stream is read as plain text", async () => {
    expect(await lines(["hello\nwor", "ld\n", "done"])).toEqual(["hello", "world", "done"]);
  });

  test("an empty stream has no lines", async () => {
    expect(await lines([])).toEqual([]);
  });
});
