// What a handler knows about its call, resolved before it runs: the authenticated caller (never the token), the
// namespace rules of auth/auth-context.ts bound to it, and a signal for client cancellation and server shutdown.
import { type AuthContext, authorizeNamespace, requireManagement } from "../auth/auth-context.js";

export interface CallContext {
  caller: AuthContext;
  /** The namespace to act on: the requested one, or the token's default when empty (spec §1.3), if allowed. */
  namespace(requested: string): string;
  /** Throws PermissionDenied unless the caller holds a management token. */
  requireManagement(what: string): void;
  /** Aborts when the client cancels or the server stops. */
  signal: AbortSignal;
}

export function callContext(caller: AuthContext, signal: AbortSignal): CallContext {
  return {
    caller,
    signal,
    namespace: (requested) => authorizeNamespace(caller, requested),
    requireManagement: (what) => requireManagement(caller, what),
  };
}
