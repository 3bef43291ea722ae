// Each run's own API credentials, so its tasks can use the stores (e.g. `gofer run store put` from a task): a client
// token for the run's namespace, stored in the commit that starts the run and deleted in the commit that completes it,
// so it works exactly while the run is RUNNING (48 h at most, for a run cut off by a crash). It is an ordinary token:
// a random secret of which only the sha256 is stored, checked by authenticate.ts on any server sharing the database.
// Written in the run's own commits, it costs no commit of its own. A run resumed after a restart (orphan repair) gets
// a new one when its next task starts, since only the first one's hash was kept. Tasks get it in their env with the
// API's address and certificate, under the names the `gofer` CLI reads. v0.4.1 minted a token per run too but handed tasks an unresolvable placeholder and
// never the address (spec §9.4, §9.7 S9). The token is never stored with the task run.
import type { Clock } from "@gofer/kernel";
import type { Kysely } from "kysely";
import type { Schema, TokenRow } from "../storage/schema.js";
import { deleteToken, insertToken } from "../storage/token-repository.js";
import { generateTokenSecret, hashToken } from "./token.js";

export interface RunRefLike {
  readonly namespaceId: string;
  readonly pipelineId: string;
  readonly runId: number;
}

export interface RunTokenEnvOptions {
  /** The database tokens are stored in; a run's own commits are used where they are given. */
  db: Kysely<Schema>;
  clock: Clock;
  /** The API address tasks reach (host:port); read when a run starts. */
  apiHost: () => string;
  /** The API certificate's path, when the API serves TLS. */
  apiCertPath: string | undefined;
}

/** How long a run's token works at most: a run cut off by a crash never deletes its own. */
const RUN_TOKEN_LIFETIME_MS = 48 * 3_600_000;

const key = (ref: RunRefLike) => `${ref.namespaceId}\u0000${ref.pipelineId}\u0000${ref.runId}`;

export class RunTokens {
  /** The tokens of the runs executing here (the secret and its hash), by run. */
  private readonly issued = new Map<string, Promise<{ token: string; hash: string }>>();

  constructor(private readonly options: RunTokenEnvOptions) {}

  /** Stores the run's token in `trx` (the commit that starts the run). */
  async issue(trx: Kysely<Schema>, ref: RunRefLike): Promise<void> {
    const { token, row } = this.newToken(ref);
    await insertToken(trx, row);
    this.issued.set(key(ref), Promise.resolve({ token, hash: row.hash }));
  }

  /**
   * The env a task of the run gets (its API token, the API's address and how to trust it) and the files it needs
   * (the API's certificate, mounted read-only on the docker engine). A run that has no token here (resumed after a
   * restart) gets one now, in a commit of its own.
   */
  async env(ref: RunRefLike): Promise<{ env: Record<string, string>; readOnlyFiles: string[] }> {
    let token = this.issued.get(key(ref));
    if (!token) {
      const made = this.newToken(ref);
      token = insertToken(this.options.db, made.row).then(() => ({ token: made.token, hash: made.row.hash }));
      this.issued.set(key(ref), token);
      token.catch(() => this.issued.delete(key(ref)));
    }
    const value = (await token).token;
    const host = this.options.apiHost();
    const certPath = this.options.apiCertPath;
    return {
      env: {
        GOFER_API_HOST: host,
        GOFER_API_TOKEN: value,
        GOFER_CLI_HOST: host,
        GOFER_CLI_TOKEN: value,
        GOFER_CLI_NAMESPACE: ref.namespaceId,
        ...(certPath ? { GOFER_CLI_TLS_CA: certPath } : {}),
      },
      readOnlyFiles: certPath ? [certPath] : [],
    };
  }

  /** The run completes: its token is deleted in `trx` (the commit that completes it). */
  async revoke(trx: Kysely<Schema>, ref: RunRefLike): Promise<void> {
    const token = this.issued.get(key(ref));
    if (!token) return;
    this.issued.delete(key(ref));
    let hash: string;
    try {
      hash = (await token).hash;
    } catch {
      return; // never stored
    }
    await deleteToken(trx, hash);
  }

  private newToken(ref: RunRefLike): { token: string; row: TokenRow } {
    const token = generateTokenSecret();
    const created = this.options.clock.now().getTime();
    return {
      token,
      row: {
        hash: hashToken(token),
        kind: "CLIENT",
        namespaces: [ref.namespaceId],
        metadata: { memo: `run ${ref.runId} of pipeline ${ref.namespaceId}/${ref.pipelineId}` },
        created,
        expires: created + RUN_TOKEN_LIFETIME_MS,
        disabled: false,
      },
    };
  }
}
