// What a token is once it leaves storage. The secret is shown once, when the token is made; afterwards only its
// sha256 is kept (spec §1.3), so every lookup by secret hashes it first.
import { createHash, randomBytes } from "node:crypto";
import type { TokenKind, TokenRow } from "../storage/schema.js";

/** The stored facts about a token (proto `Token`, spec §1.5); never the secret or its hash. */
export interface TokenDetails {
  readonly kind: TokenKind;
  /** Namespace ids or regular expressions over them; see namespace-pattern.ts. */
  readonly namespaces: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Epoch ms. */
  readonly created: number;
  /** Epoch ms at which the token stops working; null = never. */
  readonly expires: number | null;
  readonly disabled: boolean;
}

/** A freshly made token: the secret to hand to its holder once, and its details. */
export interface IssuedToken {
  readonly token: string;
  readonly details: TokenDetails;
}

/** Marks the per-start token an extension container gets as GOFER_EXTENSION_SYSTEM_KEY (spec §5.2). */
export const EXTENSION_TOKEN_KEY = "extension_token";
/** Which extension an extension token belongs to. */
export const EXTENSION_NAME_KEY = "extension";
/** Marks the token BootstrapToken made, as the original does. */
export const BOOTSTRAP_TOKEN_KEY = "bootstrap_token";

/** 32 random bytes as 64 lowercase hex characters, like the original's generateToken(32). */
export function generateTokenSecret(): string {
  return randomBytes(32).toString("hex");
}

/** The lowercase sha256 hex the tokens table is keyed by. */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function isExtensionToken(metadata: Readonly<Record<string, string>>): boolean {
  return metadata[EXTENSION_TOKEN_KEY] === "true";
}

export function toTokenDetails(row: TokenRow): TokenDetails {
  return {
    kind: row.kind,
    namespaces: [...row.namespaces],
    metadata: { ...row.metadata },
    created: row.created,
    expires: row.expires,
    disabled: row.disabled,
  };
}

/** Expired at the expiry instant itself, as the original's `now >= expires`. */
export function isExpired(details: Pick<TokenDetails, "expires">, nowMs: number): boolean {
  return details.expires !== null && nowMs >= details.expires;
}
