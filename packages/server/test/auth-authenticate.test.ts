import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "@gofer/kernel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANONYMOUS_CONTEXT, BYPASS_CONTEXT } from "../src/auth/auth-context.js";
import { type AuthenticateDeps, authenticate, parseBearer } from "../src/auth/authenticate.js";
import { TokenService } from "../src/auth/token-service.js";
import { UnauthenticatedError } from "../src/errors.js";
import { type Database, openDatabase } from "../src/storage/database.js";

const LIST_PIPELINES = "/proto.Gofer/ListPipelines";
const HOUR_MS = 3_600_000;

let dir: string;
let database: Database;
let clock: FakeClock;
let tokens: TokenService;
let deps: AuthenticateDeps;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gofer-auth-"));
  database = await openDatabase(join(dir, "gofer.db"));
  clock = new FakeClock();
  tokens = new TokenService({ db: database.db, clock });
  deps = { tokens, clock, bypassAuth: false };
});
afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const MALFORMED = new UnauthenticatedError('malformed "authorization" metadata: expected "Bearer <token>"');

describe("the authorization header", () => {
  it.each([
    [undefined, new UnauthenticatedError('missing "authorization" metadata: expected "Bearer <token>"')],
    ["", new UnauthenticatedError('missing "authorization" metadata: expected "Bearer <token>"')],
    [
      "Basic dXNlcjpwYXNz",
      new UnauthenticatedError('"authorization" metadata must use the Bearer scheme: expected "Bearer <token>"'),
    ],
    ["Bearerabc", MALFORMED],
    ["Bearer", MALFORMED],
    ["Bearer ", MALFORMED],
    ["Bearer  abc", MALFORMED],
    ["Bearer abc def", MALFORMED],
    ["abc", MALFORMED],
  ])("%j is refused as unauthenticated", async (header, error) => {
    await expect(authenticate(header, LIST_PIPELINES, deps)).rejects.toEqual(error);
  });

  it.each(["Bearer", "bearer", "BEARER", "bEaReR"])("accepts the scheme spelled %s", async (scheme) => {
    const { token } = await tokens.bootstrap();
    const ctx = await authenticate(`${scheme} ${token}`, LIST_PIPELINES, deps);
    expect(ctx.kind).toBe("MANAGEMENT");
  });

  it("parseBearer returns the token", () => {
    expect(parseBearer("bearer abc123")).toBe("abc123");
  });
});

describe("tokens", () => {
  it("gives the caller the token's kind, namespaces and metadata", async () => {
    const { token } = await tokens.create({
      kind: "CLIENT",
      namespaces: ["team-.*"],
      metadata: { owner: "ops" },
      expires: "1h",
    });
    expect(await authenticate(`Bearer ${token}`, LIST_PIPELINES, deps)).toEqual({
      kind: "CLIENT",
      namespaces: ["team-.*"],
      metadata: { owner: "ops" },
    });
  });

  it("an unknown token is denied", async () => {
    await tokens.bootstrap();
    await expect(authenticate(`Bearer ${"0".repeat(64)}`, LIST_PIPELINES, deps)).rejects.toEqual(
      new UnauthenticatedError("access denied: token not recognised"),
    );
  });

  it("a token stops working when it expires", async () => {
    const { token } = await tokens.create({ kind: "CLIENT", namespaces: ["default"], expires: "1h" });
    await clock.advance(HOUR_MS - 1);
    await expect(authenticate(`Bearer ${token}`, LIST_PIPELINES, deps)).resolves.toMatchObject({ kind: "CLIENT" });
    await clock.advance(1);
    await expect(authenticate(`Bearer ${token}`, LIST_PIPELINES, deps)).rejects.toEqual(
      new UnauthenticatedError("access denied: token expired"),
    );
  });

  it("a disabled token is denied until enabled again", async () => {
    const { token } = await tokens.create({ kind: "CLIENT", namespaces: ["default"], expires: "1h" });
    await tokens.disable(token);
    await expect(authenticate(`Bearer ${token}`, LIST_PIPELINES, deps)).rejects.toEqual(
      new UnauthenticatedError("access denied: token disabled"),
    );
    await tokens.enable(token);
    await expect(authenticate(`Bearer ${token}`, LIST_PIPELINES, deps)).resolves.toMatchObject({ kind: "CLIENT" });
  });

  it("a deleted or revoked token is denied", async () => {
    const { token } = await tokens.createExtensionToken("interval");
    await expect(authenticate(`Bearer ${token}`, LIST_PIPELINES, deps)).resolves.toMatchObject({
      metadata: { extension_token: "true", extension: "interval" },
    });
    await tokens.revoke(token);
    await expect(authenticate(`Bearer ${token}`, LIST_PIPELINES, deps)).rejects.toEqual(
      new UnauthenticatedError("access denied: token not recognised"),
    );
  });
});

describe("methods without a token", () => {
  it.each(["/proto.Gofer/BootstrapToken", "/proto.Gofer/GetSystemInfo"])("%s is anonymous", async (method) => {
    expect(await authenticate(undefined, method, deps)).toBe(ANONYMOUS_CONTEXT);
    expect(await authenticate("Basic nonsense", method, deps)).toBe(ANONYMOUS_CONTEXT);
    expect(await authenticate(undefined, method, { ...deps, bypassAuth: true })).toBe(ANONYMOUS_CONTEXT);
  });

  it("other methods need one, including the token methods", async () => {
    for (const method of ["/proto.Gofer/CreateToken", "/proto.Gofer/GetSystemInfoX", "/other.Gofer/GetSystemInfo"]) {
      await expect(authenticate(undefined, method, deps)).rejects.toBeInstanceOf(UnauthenticatedError);
    }
  });
});

describe("bypass_auth", () => {
  it("makes every caller a management caller, whatever it sends", async () => {
    const bypass = { ...deps, bypassAuth: true };
    expect(await authenticate(undefined, LIST_PIPELINES, bypass)).toBe(BYPASS_CONTEXT);
    expect(await authenticate("Basic x", LIST_PIPELINES, bypass)).toEqual({
      kind: "MANAGEMENT",
      namespaces: [],
      metadata: {},
    });
    const { token } = await tokens.create({ kind: "CLIENT", namespaces: ["default"], expires: "1h" });
    expect((await authenticate(`Bearer ${token}`, LIST_PIPELINES, bypass)).kind).toBe("MANAGEMENT");
  });
});
