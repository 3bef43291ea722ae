// Main-server authentication (spec §1.1, §1.3), run before any handler. In order:
// 1. BootstrapToken and GetSystemInfo need no token → ANONYMOUS (even in dev mode, and a token sent is ignored);
// 2. development.bypass_auth → every caller is a management caller, except that a v0.5 extension presenting its
//    token is still known as that extension;
// 3. `authorization` must be "Bearer <token>": scheme case-insensitive, exactly one space → else UNAUTHENTICATED;
// 4. the token's sha256 must name a stored token that has not expired and is not disabled → else UNAUTHENTICATED.
// The original answers PERMISSION_DENIED for steps 3 and 4. Here a missing, malformed, unknown, revoked, expired or
// disabled credential is UNAUTHENTICATED (the credential is not valid), and PERMISSION_DENIED is kept for a valid
// token that may not do what it asks. Messages never repeat the header: it may hold a secret.
import type { Clock } from "@gofer/kernel";
import { UnauthenticatedError } from "../errors.js";
import { ANONYMOUS_CONTEXT, type AuthContext, BYPASS_CONTEXT } from "./auth-context.js";
import { isExpired, isExtensionToken, type TokenDetails } from "./token.js";

export const PUBLIC_METHODS: ReadonlySet<string> = new Set([
  "/proto.Gofer/BootstrapToken",
  "/proto.Gofer/GetSystemInfo",
]);

/** The part of TokenService authentication needs. */
export interface TokenLookup {
  find(token: string): Promise<TokenDetails | undefined>;
}

export interface AuthenticateDeps {
  readonly tokens: TokenLookup;
  readonly clock: Clock;
  /** development.bypass_auth. */
  readonly bypassAuth: boolean;
}

const EXPECTED = 'expected "Bearer <token>"';

/**
 * @param authorization the first `authorization` metadata value, if any.
 * @param method the full gRPC path, e.g. "/proto.Gofer/ListPipelines".
 * @throws UnauthenticatedError when the header is missing or malformed, or the token is unknown, expired or disabled.
 */
export async function authenticate(
  authorization: string | undefined,
  method: string,
  deps: AuthenticateDeps,
): Promise<AuthContext> {
  if (PUBLIC_METHODS.has(method)) return ANONYMOUS_CONTEXT;
  if (deps.bypassAuth) {
    // Auth is off, but a v0.5 extension still identifies itself: its StartRun calls are recorded as its events.
    const extension = await knownExtension(authorization, deps);
    return extension ?? BYPASS_CONTEXT;
  }

  const token = parseBearer(authorization);
  const details = await deps.tokens.find(token);
  if (!details) throw new UnauthenticatedError("access denied: token not recognised");
  if (isExpired(details, deps.clock.now().getTime())) throw new UnauthenticatedError("access denied: token expired");
  if (details.disabled) throw new UnauthenticatedError("access denied: token disabled");
  return { kind: details.kind, namespaces: details.namespaces, metadata: details.metadata };
}

async function knownExtension(
  authorization: string | undefined,
  deps: AuthenticateDeps,
): Promise<AuthContext | undefined> {
  // Most callers without auth send no token: answered without building an error.
  if (authorization === undefined) return undefined;
  let token: string;
  try {
    token = parseBearer(authorization);
  } catch {
    return undefined;
  }
  const details = await deps.tokens.find(token);
  if (!details || details.disabled || isExpired(details, deps.clock.now().getTime())) return undefined;
  if (!isExtensionToken(details.metadata)) return undefined;
  return { kind: details.kind, namespaces: details.namespaces, metadata: details.metadata };
}

/** @returns the token of a "Bearer <token>" value. @throws UnauthenticatedError otherwise. */
export function parseBearer(authorization: string | undefined): string {
  if (authorization === undefined || authorization === "") {
    throw new UnauthenticatedError(`missing "authorization" metadata: ${EXPECTED}`);
  }
  const space = authorization.indexOf(" ");
  if (space === -1) throw new UnauthenticatedError(`malformed "authorization" metadata: ${EXPECTED}`);
  if (authorization.slice(0, space).toLowerCase() !== "bearer") {
    throw new UnauthenticatedError(`"authorization" metadata must use the Bearer scheme: ${EXPECTED}`);
  }
  const token = authorization.slice(space + 1);
  // Tokens are hex; a second space or trailing whitespace is a malformed header, not a token that fails to match.
  if (token === "" || /\s/.test(token)) {
    throw new UnauthenticatedError(`malformed "authorization" metadata: ${EXPECTED}`);
  }
  return token;
}
