import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "@gofer/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken } from "../src/auth/token.js";
import { CENTURY_MS, TokenService } from "../src/auth/token-service.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../src/errors.js";
import { type Database, openDatabase } from "../src/storage/database.js";
import { getToken, listTokens } from "../src/storage/token-repository.js";

const START = Date.UTC(2026, 0, 1);
const HOUR_MS = 3_600_000;

let dir: string;
let database: Database;
let clock: FakeClock;
let tokens: TokenService;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gofer-auth-"));
  database = await openDatabase(join(dir, "gofer.db"));
  clock = new FakeClock(START);
  tokens = new TokenService({ db: database.db, clock });
});
afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (namespaces: string[], expires = "24h") => tokens.create({ kind: "CLIENT", namespaces, expires });

describe("bootstrap", () => {
  it("makes a 100-year management token, once", async () => {
    const { token, details } = await tokens.bootstrap();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(details).toEqual({
      kind: "MANAGEMENT",
      namespaces: [],
      metadata: { bootstrap_token: "true" },
      created: START,
      expires: START + CENTURY_MS,
      disabled: false,
    });
    await expect(tokens.bootstrap()).rejects.toEqual(new FailedPreconditionError("bootstrap token already created"));
  });

  it("makes one token when two callers race", async () => {
    const results = await Promise.allSettled([tokens.bootstrap(), tokens.bootstrap()]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await listTokens(database.db)).toHaveLength(1);
  });

  it("is refused while a management token exists, even a disabled one, but not for client tokens", async () => {
    await client(["default"]);
    await tokens.createExtensionToken("interval");
    const { token } = await tokens.create({ kind: "MANAGEMENT", namespaces: [], expires: "1h" });
    await tokens.disable(token);
    await expect(tokens.bootstrap()).rejects.toThrow("bootstrap token already created");
    await tokens.delete(token);
    await expect(tokens.bootstrap()).resolves.toMatchObject({ details: { kind: "MANAGEMENT" } });
  });
});

describe("create", () => {
  it("stores only the sha256 of the secret, with expiry from the Go duration", async () => {
    const { token, details } = await tokens.create({
      kind: "CLIENT",
      namespaces: ["default", "team-.*"],
      metadata: { owner: "ops" },
      expires: "1h30m",
    });
    expect(details).toEqual({
      kind: "CLIENT",
      namespaces: ["default", "team-.*"],
      metadata: { owner: "ops" },
      created: START,
      expires: START + 1.5 * HOUR_MS,
      disabled: false,
    });
    const [row] = await listTokens(database.db);
    expect(row?.hash).toBe(hashToken(token));
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it("gives each token a different secret", async () => {
    const a = await client(["default"]);
    const b = await client(["default"]);
    expect(a.token).not.toBe(b.token);
  });

  it.each([
    [{ kind: "UNKNOWN" }, 'kind: must be MANAGEMENT or CLIENT, got "UNKNOWN"'],
    [{ kind: "client" }, 'kind: must be MANAGEMENT or CLIENT, got "client"'],
    [{ namespaces: [] }, "namespaces: a client token needs at least one namespace id or pattern"],
    [{ namespaces: ["default", ""] }, "namespaces[1]: must not be empty"],
    [
      { namespaces: ["team-("] },
      'namespaces[0] "team-(" is not a valid regular expression: Invalid regular expression: /team-(/: Unterminated group',
    ],
    [
      { namespaces: ["a)|(b"] },
      "namespaces[0] \"a)|(b\" is not a valid regular expression: Invalid regular expression: /a)|(b/: Unmatched ')'",
    ],
    [{ expires: "" }, 'expires: required, a Go duration such as "24h"'],
    [{ expires: "1d" }, 'expires: unknown unit "d" in duration "1d"'],
    [{ expires: "-1h" }, 'expires "-1h": must be positive'],
    [{ expires: "0" }, 'expires "0": must be positive'],
    [{ expires: "500us" }, 'expires "500us": must be at least 1ms'],
    [{ metadata: { extension_token: "true" } }, 'metadata "extension_token": reserved for extension tokens'],
  ])("refuses %j", async (override, message) => {
    const input = { kind: "CLIENT", namespaces: ["default"], expires: "24h", ...override };
    await expect(tokens.create(input)).rejects.toEqual(new InvalidArgumentError(message));
    expect(await listTokens(database.db)).toEqual([]);
  });

  it("allows a management token without namespaces", async () => {
    const { details } = await tokens.create({ kind: "MANAGEMENT", namespaces: [], expires: "24h" });
    expect(details.namespaces).toEqual([]);
  });
});

describe("get, enable, disable, delete", () => {
  it("look the token up by its secret", async () => {
    const { token, details } = await client(["default"]);
    expect(await tokens.get(token)).toEqual(details);

    await tokens.disable(token);
    expect((await tokens.get(token)).disabled).toBe(true);
    await tokens.enable(token);
    expect((await tokens.get(token)).disabled).toBe(false);

    await tokens.delete(token);
    expect(await getToken(database.db, hashToken(token))).toBeUndefined();
  });

  it.each(["get", "enable", "disable", "delete"] as const)("%s of an unknown token is not found", async (op) => {
    await client(["default"]);
    await expect(tokens[op]("0".repeat(64))).rejects.toEqual(new NotFoundError("token not found"));
  });

  it.each(["get", "enable", "disable", "delete"] as const)("%s without a token is refused", async (op) => {
    await expect(tokens[op]("")).rejects.toEqual(new InvalidArgumentError("token: required"));
  });
});

describe("list", () => {
  it("lists every token oldest first, or those reaching a namespace", async () => {
    const management = await tokens.bootstrap();
    await clock.advance(1);
    const team = await client(["team-.*"]);
    await clock.advance(1);
    const both = await client(["default", "team-a"]);
    await clock.advance(1);
    const every = await tokens.createExtensionToken("interval");

    const created = (list: { created: number }[]) => list.map((t) => t.created);
    const all = [management, team, both, every].map((t) => t.details.created);
    expect(created(await tokens.list())).toEqual(all);
    expect(created(await tokens.list(""))).toEqual(all);
    expect(created(await tokens.list("team-a"))).toEqual(all);
    expect(created(await tokens.list("default"))).toEqual([START, START + 2, START + 3]);
    // Patterns match the whole id: "team-.*" does not reach "myteam-a".
    expect(created(await tokens.list("myteam-a"))).toEqual([START, START + 3]);
  });
});

describe("extension tokens", () => {
  it("are client tokens for every namespace, marked with the extension's name", async () => {
    const { token, details } = await tokens.createExtensionToken("interval");
    expect(details).toEqual({
      kind: "CLIENT",
      namespaces: [".*"],
      metadata: { extension_token: "true", extension: "interval" },
      created: START,
      expires: START + CENTURY_MS,
      disabled: false,
    });
    expect(await tokens.revoke(token)).toBe(true);
    expect(await tokens.revoke(token)).toBe(false);
    expect(await tokens.find(token)).toBeUndefined();
  });

  it("can be limited to some namespaces, checked like any others", async () => {
    const { details } = await tokens.createExtensionToken("cron", ["team-a"]);
    expect(details.namespaces).toEqual(["team-a"]);
    await expect(tokens.createExtensionToken("cron", ["("])).rejects.toThrow(InvalidArgumentError);
    await expect(tokens.createExtensionToken("")).rejects.toEqual(
      new InvalidArgumentError("name: required for an extension token"),
    );
    await expect(tokens.createExtensionToken("cron", [])).rejects.toEqual(
      new InvalidArgumentError('extension "cron": namespaces: needs at least one namespace id or pattern'),
    );
  });

  it("left behind by earlier starts are revoked by name", async () => {
    await tokens.createExtensionToken("interval");
    await tokens.createExtensionToken("interval");
    const cron = await tokens.createExtensionToken("cron");
    const user = await tokens.create({
      kind: "CLIENT",
      namespaces: ["default"],
      metadata: { extension: "interval" },
      expires: "1h",
    });

    expect(await tokens.revokeExtensionTokens("interval")).toBe(2);
    expect(await tokens.revokeExtensionTokens("interval")).toBe(0);
    expect(await tokens.find(cron.token)).toBeDefined();
    expect(await tokens.find(user.token)).toBeDefined();
  });
});
