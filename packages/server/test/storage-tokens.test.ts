import { describe, expect, it } from "vitest";
import { isUniqueViolation } from "../src/storage/constraint-violation.js";
import type { TokenRow } from "../src/storage/schema.js";
import {
  countTokens,
  deleteToken,
  getToken,
  insertToken,
  listTokens,
  updateTokenDisabled,
} from "../src/storage/token-repository.js";
import { describeEachStorageEngine } from "./storage-engines.js";
import { useTempDatabase } from "./temp-database.js";

describeEachStorageEngine("token storage", (engine) => {
  const temp = useTempDatabase(engine);

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
      await insertToken(temp.database.db, token("aa"));
      expect(await getToken(temp.database.db, "aa")).toEqual(token("aa"));
      const error = await insertToken(temp.database.db, token("aa")).catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
    });

    it("are listed by namespace", async () => {
      await insertToken(temp.database.db, token("a1", { namespaces: ["default", "team"], created: 1 }));
      await insertToken(temp.database.db, token("b2", { namespaces: ["team"], created: 2 }));
      await insertToken(temp.database.db, token("c3", { namespaces: ["default"], created: 3 }));
      const hashes = async (namespace?: string) =>
        (await listTokens(temp.database.db, namespace === undefined ? {} : { namespace })).map((t) => t.hash);
      expect(await hashes()).toEqual(["a1", "b2", "c3"]);
      expect(await hashes("team")).toEqual(["a1", "b2"]);
      expect(await hashes("nobody")).toEqual([]);
    });

    it("are counted by kind, disabled and deleted", async () => {
      expect(await countTokens(temp.database.db, { kind: "MANAGEMENT" })).toBe(0);
      await insertToken(temp.database.db, token("m", { kind: "MANAGEMENT", namespaces: [], expires: null }));
      await insertToken(temp.database.db, token("c"));
      expect(await countTokens(temp.database.db, { kind: "MANAGEMENT" })).toBe(1);
      expect(await countTokens(temp.database.db)).toBe(2);

      expect(await updateTokenDisabled(temp.database.db, "c", true)).toBe(true);
      expect((await getToken(temp.database.db, "c"))?.disabled).toBe(true);
      expect(await updateTokenDisabled(temp.database.db, "missing", true)).toBe(false);

      expect(await deleteToken(temp.database.db, "c")).toBe(true);
      expect(await getToken(temp.database.db, "c")).toBeUndefined();
      expect(await deleteToken(temp.database.db, "c")).toBe(false);
    });
  });
});
