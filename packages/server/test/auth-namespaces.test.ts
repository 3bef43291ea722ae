import { describe, expect, it } from "vitest";
import {
  ANONYMOUS_CONTEXT,
  type AuthContext,
  authorizeNamespace,
  BYPASS_CONTEXT,
  canAccessNamespace,
  checkNamespace,
  requireManagement,
  resolveNamespace,
} from "../src/auth/auth-context.js";
import { matchesNamespace } from "../src/auth/namespace-pattern.js";
import { PermissionDeniedError } from "../src/errors.js";

const management = (namespaces: string[] = []): AuthContext => ({ kind: "MANAGEMENT", namespaces, metadata: {} });
const client = (namespaces: string[]): AuthContext => ({ kind: "CLIENT", namespaces, metadata: {} });

describe("requireManagement", () => {
  it("lets management callers through and names the action for others", () => {
    expect(() => requireManagement(management(), "install a trigger")).not.toThrow();
    expect(() => requireManagement(BYPASS_CONTEXT, "install a trigger")).not.toThrow();
    for (const ctx of [client([".*"]), ANONYMOUS_CONTEXT]) {
      expect(() => requireManagement(ctx, "install a trigger")).toThrowError(
        new PermissionDeniedError("management token required to install a trigger"),
      );
    }
  });
});

describe("an empty namespace_id defaults from the token", () => {
  it.each([
    [[], "default"],
    [["team-a"], "team-a"],
    [["default"], "default"],
    [["default", "team-a", "team-b"], "team-a"],
    [["team-b", "default"], "team-b"],
    [["default", "default"], "default"],
    // Patterns name no namespace, so they do not count.
    [[".*"], "default"],
    [["team-.*"], "default"],
    [["default", "team-.*"], "default"],
    [["team-.*", "team-a"], "team-a"],
  ])("%j → %s", (namespaces, expected) => {
    expect(resolveNamespace(client(namespaces), "")).toBe(expected);
  });

  it("for management and bypass callers too", () => {
    expect(resolveNamespace(management(), "")).toBe("default");
    expect(resolveNamespace(BYPASS_CONTEXT, "")).toBe("default");
    expect(resolveNamespace(management(["ops"]), "")).toBe("ops");
  });

  it("but a namespace the request names is kept", () => {
    expect(resolveNamespace(client(["team-a"]), "team-b")).toBe("team-b");
  });
});

describe("client tokens reach only the namespaces their patterns match", () => {
  it.each([
    [["default"], "default", true],
    [["default"], "default2", false],
    [["default"], "my-default", false],
    [[".*"], "anything_at-all", true],
    [["team-.*"], "team-a", true],
    [["team-.*"], "team-", true],
    [["team-.*"], "myteam-a", false],
    [["team-a|team-b"], "team-b", true],
    [["team-a|team-b"], "team-ab", false],
    [["team-[0-9]+"], "team-42", true],
    [["team-[0-9]+"], "team-4x", false],
    // Every pattern is tried, not just the first.
    [["default", "ops"], "ops", true],
    [[], "default", false],
  ])("%j → %s: %s", (namespaces, namespaceId, allowed) => {
    expect(canAccessNamespace(client(namespaces), namespaceId)).toBe(allowed);
  });

  it("names the namespace and the token's own namespaces when refusing", () => {
    expect(() => checkNamespace(client(["default", "team-.*"]), "ops")).toThrowError(
      new PermissionDeniedError('token has no access to namespace "ops" (its namespaces: "default", "team-.*")'),
    );
    expect(() => checkNamespace(client([]), "ops")).toThrowError(
      new PermissionDeniedError('token has no access to namespace "ops" (its namespaces: none)'),
    );
    expect(() => checkNamespace(ANONYMOUS_CONTEXT, "ops")).toThrowError(
      new PermissionDeniedError('no access to namespace "ops" without a token'),
    );
  });

  it("never lets a string that cannot be a namespace id through", () => {
    expect(canAccessNamespace(client([".*"]), "a".repeat(71))).toBe(false);
    expect(canAccessNamespace(client([".*"]), "a b")).toBe(false);
    expect(canAccessNamespace(client([".*"]), "")).toBe(false);
  });

  it("management tokens reach every namespace whatever they list", () => {
    expect(() => checkNamespace(management(["default"]), "ops")).not.toThrow();
    expect(() => checkNamespace(BYPASS_CONTEXT, "ops")).not.toThrow();
  });

  it("authorizeNamespace defaults then checks", () => {
    expect(authorizeNamespace(client(["team-a", "team-.*"]), "")).toBe("team-a");
    expect(authorizeNamespace(client(["team-.*"]), "team-b")).toBe("team-b");
    // [".*"] defaults to "default", which it reaches.
    expect(authorizeNamespace(client([".*"]), "")).toBe("default");
    expect(() => authorizeNamespace(client(["team-.*"]), "")).toThrowError(
      new PermissionDeniedError('token has no access to namespace "default" (its namespaces: "team-.*")'),
    );
  });
});

describe("stored patterns that do not compile", () => {
  it("still match exactly their own text", () => {
    expect(matchesNamespace(["team-("], "team-(")).toBe(true);
    expect(matchesNamespace(["team-("], "team-a")).toBe(false);
  });
});
