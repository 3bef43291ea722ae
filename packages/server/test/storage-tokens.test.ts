import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isUniqueViolation } from "../src/storage/constraint-violation.js";
import { type Database, openDatabase } from "../src/storage/database.js";
import type { TokenRow } from "../src/storage/schema.js";
import {
  countTokens,
  deleteToken,
  getToken,
  insertToken,
  listTokens,
  updateTokenDisabled,
} from "../src/storage/token-repository.js";

let dir: string;
let database: Database;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gofer-storage-"));
  database = await openDatabase(join(dir, "gofer.db"));
});
afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

function token(hash: string, overrides: Partial<TokenRow> = {}): TokenRow {
  return {
    hash,
    kind: "CLIENT",
    namespaces: ["default"],
    metadata: { owner: "ops" },
    created: 1,
    expires: 1000,
    disabled: false,
    ...overrides,
  };
}

describe("tokens", () => {
  it("round-trip and refuse a duplicate hash", async () => {
    await insertToken(database.db, token("aa"));
    expect(await getToken(database.db, "aa")).toEqual(token("aa"));
    const error = await insertToken(database.db, token("aa")).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("are listed by namespace", async () => {
    await insertToken(database.db, token("a1", { namespaces: ["default", "team"], created: 1 }));
    await insertToken(database.db, token("b2", { namespaces: ["team"], created: 2 }));
    await insertToken(database.db, token("c3", { namespaces: ["default"], created: 3 }));
    const hashes = async (namespace?: string) =>
      (await listTokens(database.db, namespace === undefined ? {} : { namespace })).map((t) => t.hash);
    expect(await hashes()).toEqual(["a1", "b2", "c3"]);
    expect(await hashes("team")).toEqual(["a1", "b2"]);
    expect(await hashes("nobody")).toEqual([]);
  });

  it("are counted by kind, disabled and deleted", async () => {
    expect(await countTokens(database.db, { kind: "MANAGEMENT" })).toBe(0);
    await insertToken(database.db, token("m", { kind: "MANAGEMENT", namespaces: [], expires: null }));
    await insertToken(database.db, token("c"));
    expect(await countTokens(database.db, { kind: "MANAGEMENT" })).toBe(1);
    expect(await countTokens(database.db)).toBe(2);

    expect(await updateTokenDisabled(database.db, "c", true)).toBe(true);
    expect((await getToken(database.db, "c"))?.disabled).toBe(true);
    expect(await updateTokenDisabled(database.db, "missing", true)).toBe(false);

    expect(await deleteToken(database.db, "c")).toBe(true);
    expect(await getToken(database.db, "c")).toBeUndefined();
    expect(await deleteToken(database.db, "c")).toBe(false);
  });
});
