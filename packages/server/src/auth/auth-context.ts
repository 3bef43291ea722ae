// Who is calling, as far as handlers need to know: the kind of token and the namespaces it may touch. Handlers get an
// AuthContext, never the token (STYLE: auth runs before any handler starts).
import { PermissionDeniedError } from "../errors.js";
import { isNamespaceId, matchesNamespace } from "./namespace-pattern.js";

/** ANONYMOUS = a method that needs no token (BootstrapToken, GetSystemInfo; spec §1.3). */
export type AuthKind = "MANAGEMENT" | "CLIENT" | "ANONYMOUS";

export interface AuthContext {
  readonly kind: AuthKind;
  /** Namespace ids or patterns (namespace-pattern.ts). Ignored for MANAGEMENT, which reaches every namespace. */
  readonly namespaces: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

export const DEFAULT_NAMESPACE = "default";

export const ANONYMOUS_CONTEXT: AuthContext = Object.freeze({
  kind: "ANONYMOUS",
  namespaces: Object.freeze([]),
  metadata: Object.freeze({}),
});

/** development.bypass_auth: every caller is a management caller with no namespaces, as the original's dev mode. */
export const BYPASS_CONTEXT: AuthContext = Object.freeze({
  kind: "MANAGEMENT",
  namespaces: Object.freeze([]),
  metadata: Object.freeze({}),
});

/**
 * @param what completes "management token required to …", e.g. "install a trigger".
 * @throws PermissionDeniedError unless the caller holds a management token.
 */
export function requireManagement(ctx: AuthContext, what: string): void {
  if (ctx.kind !== "MANAGEMENT") throw new PermissionDeniedError(`management token required to ${what}`);
}

/**
 * The namespace a request means. An empty `namespace_id` defaults from the token (spec §1.3): one namespace → it;
 * none → "default"; several → the first that is not "default". Only plain ids count: a pattern such as ".*" names
 * no namespace, and the original defaulting to it literally could only end in "not found".
 */
export function resolveNamespace(ctx: AuthContext, requested: string): string {
  if (requested !== "") return requested;
  const ids = ctx.namespaces.filter(isNamespaceId);
  if (ids.length === 1) return ids[0] as string;
  return ids.find((id) => id !== DEFAULT_NAMESPACE) ?? DEFAULT_NAMESPACE;
}

/** Whether the caller may touch the namespace: management always, clients where one of their patterns matches. */
export function canAccessNamespace(ctx: AuthContext, namespaceId: string): boolean {
  switch (ctx.kind) {
    case "MANAGEMENT":
      return true;
    case "CLIENT":
      // A string that cannot be an id names no namespace; refusing it first also keeps patterns off long input.
      return isNamespaceId(namespaceId) && matchesNamespace(ctx.namespaces, namespaceId);
    case "ANONYMOUS":
      return false;
    default:
      return ctx.kind satisfies never;
  }
}

/** @throws PermissionDeniedError naming the namespace and the token's own namespaces. */
export function checkNamespace(ctx: AuthContext, namespaceId: string): void {
  if (canAccessNamespace(ctx, namespaceId)) return;
  if (ctx.kind === "ANONYMOUS") {
    throw new PermissionDeniedError(`no access to namespace ${JSON.stringify(namespaceId)} without a token`);
  }
  const own = ctx.namespaces.length === 0 ? "none" : ctx.namespaces.map((n) => JSON.stringify(n)).join(", ");
  throw new PermissionDeniedError(
    `token has no access to namespace ${JSON.stringify(namespaceId)} (its namespaces: ${own})`,
  );
}

/** resolveNamespace then checkNamespace: the namespace a request may act on. */
export function authorizeNamespace(ctx: AuthContext, requested: string): string {
  const namespaceId = resolveNamespace(ctx, requested);
  checkNamespace(ctx, namespaceId);
  return namespaceId;
}
