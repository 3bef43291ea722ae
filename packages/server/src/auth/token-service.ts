// Issues and manages API tokens (spec §1.3-1.5). Only a token's sha256 is stored, so every operation that names a
// token takes the secret and hashes it; the secret is returned once, by the call that makes it.
//
// Decisions (the original in brackets):
// - bootstrap() works while no MANAGEMENT token exists, disabled or expired ones included [while no token at all
//   exists, extension tokens aside]. Check and insert share one transaction, so two racing calls make one token.
//   It makes a MANAGEMENT token with namespaces [] (management reaches every namespace anyway, and [] lets
//   resolveNamespace default to "default"), metadata {bootstrap_token: "true"}, valid 876600h [same].
// - create() requires `expires`, a positive Go duration [empty → FAILED_PRECONDITION "requires expiration
//   duration"]. A never-expiring token is deliberately not offered through the API: pass e.g. "876600h".
// - create() refuses kind UNKNOWN [made a CLIENT token], a CLIENT token with no namespaces [a token that can touch
//   nothing], entries that do not compile as patterns, and the reserved metadata key `extension_token` [namespaces
//   had to exist as namespaces, which ruled patterns out].
// - get/enable/disable/delete of an unknown token → NOT_FOUND [GetToken: FAILED_PRECONDITION; DeleteToken: OK].
import { type Clock, DurationError, parseGoDuration } from "@gofer/kernel";
import type { Kysely } from "kysely";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { Schema, TokenKind, TokenRow } from "../storage/schema.js";
import {
  countTokens,
  deleteToken,
  getToken,
  insertToken,
  listTokens,
  updateTokenDisabled,
} from "../storage/token-repository.js";
import { transaction } from "../storage/transaction.js";
import { matchesNamespace, validateNamespacePatterns } from "./namespace-pattern.js";
import {
  BOOTSTRAP_TOKEN_KEY,
  EXTENSION_NAME_KEY,
  EXTENSION_TOKEN_KEY,
  generateTokenSecret,
  hashToken,
  type IssuedToken,
  isExtensionToken,
  type TokenDetails,
  toTokenDetails,
} from "./token.js";

/** 876600h, about 100 years: the lifetime the original gives bootstrap and extension tokens. */
export const CENTURY_MS = 876_600 * 3_600_000;

const NANOS_PER_MS = 1_000_000n;

export interface TokenServiceOptions {
  readonly db: Kysely<Schema>;
  readonly clock: Clock;
}

export interface CreateTokenInput {
  /** The `CreateTokenRequest.Kind` name: "MANAGEMENT" or "CLIENT"; anything else is refused. */
  readonly kind: string;
  /** Namespace ids or patterns (namespace-pattern.ts). */
  readonly namespaces: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  /** A Go duration from now, e.g. "24h". Required. */
  readonly expires: string;
}

interface TokenSpec {
  readonly kind: TokenKind;
  readonly namespaces: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly lifetimeMs: number;
}

export class TokenService {
  private readonly db: Kysely<Schema>;
  private readonly clock: Clock;

  constructor(options: TokenServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
  }

  /** @throws FailedPreconditionError "bootstrap token already created" once any management token exists. */
  bootstrap(): Promise<IssuedToken> {
    return transaction(this.db, async (trx) => {
      if ((await countTokens(trx, { kind: "MANAGEMENT" })) > 0) {
        throw new FailedPreconditionError("bootstrap token already created");
      }
      return this.issue(trx, {
        kind: "MANAGEMENT",
        namespaces: [],
        metadata: { [BOOTSTRAP_TOKEN_KEY]: "true" },
        lifetimeMs: CENTURY_MS,
      });
    });
  }

  /** @throws InvalidArgumentError naming the field at fault. */
  async create(input: CreateTokenInput): Promise<IssuedToken> {
    const kind = parseKind(input.kind);
    if (kind === "CLIENT" && input.namespaces.length === 0) {
      throw new InvalidArgumentError("namespaces: a client token needs at least one namespace id or pattern");
    }
    validateNamespacePatterns(input.namespaces);
    const metadata = input.metadata ?? {};
    if (EXTENSION_TOKEN_KEY in metadata) {
      throw new InvalidArgumentError(`metadata "${EXTENSION_TOKEN_KEY}": reserved for extension tokens`);
    }
    const lifetimeMs = parseExpires(input.expires);
    return this.issue(this.db, { kind, namespaces: input.namespaces, metadata, lifetimeMs });
  }

  /**
   * Oldest first. With a namespace: the tokens that reach it, i.e. one of whose patterns matches it, plus tokens
   * with no namespaces (as the original lists them everywhere). Hiding management tokens from client callers is the
   * handler's business.
   */
  async list(namespace?: string): Promise<TokenDetails[]> {
    const rows = await listTokens(this.db);
    const reaching =
      namespace === undefined || namespace === ""
        ? rows
        : rows.filter((row) => row.namespaces.length === 0 || matchesNamespace(row.namespaces, namespace));
    return reaching.map(toTokenDetails);
  }

  /** @returns undefined for an unknown token: authentication answers that with PERMISSION_DENIED, not NOT_FOUND. */
  async find(token: string): Promise<TokenDetails | undefined> {
    const row = await getToken(this.db, hashToken(token));
    return row && toTokenDetails(row);
  }

  /** @throws NotFoundError for an unknown token. */
  async get(token: string): Promise<TokenDetails> {
    const row = await getToken(this.db, hashOf(token));
    if (!row) throw new NotFoundError("token not found");
    return toTokenDetails(row);
  }

  enable(token: string): Promise<void> {
    return this.setDisabled(token, false);
  }

  disable(token: string): Promise<void> {
    return this.setDisabled(token, true);
  }

  /** @throws NotFoundError for an unknown token. */
  async delete(token: string): Promise<void> {
    if (!(await deleteToken(this.db, hashOf(token)))) throw new NotFoundError("token not found");
  }

  /**
   * The GOFER_EXTENSION_SYSTEM_KEY for one start of an extension (spec §5.2): a CLIENT token, metadata
   * {extension_token: "true", extension: name}, valid 876600h. Revoke it when the extension stops.
   */
  async createExtensionToken(name: string, namespaces: readonly string[] = [".*"]): Promise<IssuedToken> {
    if (name === "") throw new InvalidArgumentError("name: required for an extension token");
    if (namespaces.length === 0) {
      throw new InvalidArgumentError(`extension "${name}": namespaces: needs at least one namespace id or pattern`);
    }
    validateNamespacePatterns(namespaces);
    return this.issue(this.db, {
      kind: "CLIENT",
      namespaces,
      metadata: { [EXTENSION_TOKEN_KEY]: "true", [EXTENSION_NAME_KEY]: name },
      lifetimeMs: CENTURY_MS,
    });
  }

  /** Deletes a token if it exists; safe to call twice, so stop paths can always call it. @returns whether it did. */
  revoke(token: string): Promise<boolean> {
    return deleteToken(this.db, hashToken(token));
  }

  /** Deletes every extension token of the named extension, e.g. ones left by a crash. @returns how many. */
  async revokeExtensionTokens(name: string): Promise<number> {
    const stale = (await listTokens(this.db)).filter(
      (row) => isExtensionToken(row.metadata) && row.metadata[EXTENSION_NAME_KEY] === name,
    );
    let revoked = 0;
    for (const row of stale) if (await deleteToken(this.db, row.hash)) revoked++;
    return revoked;
  }

  private async setDisabled(token: string, disabled: boolean): Promise<void> {
    if (!(await updateTokenDisabled(this.db, hashOf(token), disabled))) throw new NotFoundError("token not found");
  }

  private async issue(db: Kysely<Schema>, spec: TokenSpec): Promise<IssuedToken> {
    const token = generateTokenSecret();
    const created = this.clock.now().getTime();
    const row: TokenRow = {
      hash: hashToken(token),
      kind: spec.kind,
      namespaces: [...spec.namespaces],
      metadata: { ...spec.metadata },
      created,
      expires: created + spec.lifetimeMs,
      disabled: false,
    };
    await insertToken(db, row);
    return { token, details: toTokenDetails(row) };
  }
}

function parseKind(kind: string): TokenKind {
  if (kind === "MANAGEMENT" || kind === "CLIENT") return kind;
  throw new InvalidArgumentError(`kind: must be MANAGEMENT or CLIENT, got ${JSON.stringify(kind)}`);
}

/** @returns the lifetime in ms. */
function parseExpires(expires: string): number {
  if (expires === "") throw new InvalidArgumentError('expires: required, a Go duration such as "24h"');
  let nanos: bigint;
  try {
    nanos = parseGoDuration(expires);
  } catch (error) {
    if (error instanceof DurationError) throw new InvalidArgumentError(`expires: ${error.message}`);
    throw error;
  }
  if (nanos <= 0n) throw new InvalidArgumentError(`expires ${JSON.stringify(expires)}: must be positive`);
  // Like Go's Time.Add(d).UnixMilli(): sub-millisecond parts are dropped, so less than 1ms would expire at once.
  const ms = Number(nanos / NANOS_PER_MS);
  if (ms === 0) throw new InvalidArgumentError(`expires ${JSON.stringify(expires)}: must be at least 1ms`);
  return ms;
}

/** The hash of a token named in a request. @throws InvalidArgumentError when it is empty. */
function hashOf(token: string): string {
  if (token === "") throw new InvalidArgumentError("token: required");
  return hashToken(token);
}
