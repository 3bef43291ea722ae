// A connection's header blocks: an equal block is decoded once while the dynamic table stays as it was, and decoded
// anew once the table has changed.

import { Flag, HeaderBlock } from "@gofer/kernel/http2";
import { describe, expect, test } from "vitest";
import { RequestHeaders } from "../src/http2/request-headers.js";

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ""), "hex");
const END = Flag.END_HEADERS | Flag.END_STREAM;

function decode(block: HeaderBlock, id: number, bytes: Buffer) {
  expect(block.start(END, id, bytes)).toBe(true);
  return block.take();
}

describe("a connection's header blocks", () => {
  test("an equal block read against the same table gives the same list, for every stream", () => {
    const block = new HeaderBlock(65_536);
    // :method POST, :scheme https, :path "/a" (literal, not indexed), authorization "Bearer k" (never indexed).
    const request = hex("83 87 0402 2f61 1f08 0842 6561 7265 7220 6b");
    const first = decode(block, 1, request);
    expect(first).toEqual([
      [":method", "POST"],
      [":scheme", "https"],
      [":path", "/a"],
      ["authorization", "Bearer k"],
    ]);
    expect(decode(block, 3, Buffer.from(request))).toBe(first);
    expect(block.id).toBe(3);
    expect(block.endStream).toBe(true);
    // Another block in between: the next equal one is decoded again, to the same fields.
    expect(decode(block, 5, hex("83 87 0402 2f62"))).toEqual([
      [":method", "POST"],
      [":scheme", "https"],
      [":path", "/b"],
    ]);
    expect(decode(block, 7, request)).toEqual(first);
  });

  test("an equal block after the dynamic table changed is decoded against the new table", () => {
    const block = new HeaderBlock(65_536);
    // Adds k: v to the dynamic table (literal with incremental indexing, new name).
    decode(block, 1, hex("40 016b 0176"));
    const indexed = hex("82 84 be"); // :method GET, :path /, then dynamic entry 62
    expect(decode(block, 3, indexed)).toEqual([
      [":method", "GET"],
      [":path", "/"],
      ["k", "v"],
    ]);
    expect(decode(block, 5, indexed)).toEqual([
      [":method", "GET"],
      [":path", "/"],
      ["k", "v"],
    ]);
    // Reads entry 62, then adds j: w, which becomes entry 62: the same bytes again read j: w.
    const readThenAdd = hex("be 40 016a 0177");
    expect(decode(block, 7, readThenAdd)).toEqual([
      ["k", "v"],
      ["j", "w"],
    ]);
    expect(decode(block, 9, readThenAdd)).toEqual([
      ["j", "w"],
      ["j", "w"],
    ]);
    expect(decode(block, 11, indexed)).toEqual([
      [":method", "GET"],
      [":path", "/"],
      ["j", "w"],
    ]);
    // A table size update to 0 empties the table: entry 62 is gone, and the block is refused.
    decode(block, 13, hex("20 82 84"));
    expect(() => decode(block, 15, indexed)).toThrow(/out of the table/);
  });

  test("one request record serves every stream of an equal list; it is frozen", () => {
    const reader = new RequestHeaders();
    const fields: [string, string][] = [
      [":method", "POST"],
      [":path", "/p"],
      ["te", "trailers"],
    ];
    const record = reader.of(fields);
    expect(record).toEqual({ ":method": "POST", ":path": "/p", te: "trailers" });
    expect(Object.isFrozen(record)).toBe(true);
    expect(reader.of(fields)).toBe(record);
    expect(reader.of([[":path", "/p"]])).toBeUndefined(); // no :method
    expect(reader.of([...fields])).not.toBe(record);
  });
});
