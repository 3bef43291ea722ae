// The secret store: pipeline secrets (per namespace and pipeline) and global secrets, encrypted at rest
// (secret-cipher.ts) in their own sqlite file (secret_store.sqlite.path), as in the original (spec §9.1).
//
// Differences from the original, each a fix of a §9.7 bug: `force` overwrites (S1); metadata and value live in one
// row, written in one statement, so a failed put leaves nothing behind (S6); rows are keyed by their parts, not by a
// joined string, so ids never collide (S8); deleting a pipeline deletes its secrets (S7). A wrong encryption key is
// detected when the store opens, from a check value written when the store was created.
import type { Clock } from "@gofer/kernel";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.js";
import { SecretCipher } from "./secret-cipher.js";
import { openStoreFile, StatementCache, type StoreDatabase } from "./store-file.js";
import { checkStoreKey } from "./store-keys.js";

/** Largest secret value accepted, in bytes (UTF-8). */
export const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretKeyInfo {
  readonly key: string;
  /** Epoch ms of the last put. */
  readonly created: number;
}

export interface PipelineRef {
  readonly namespaceId: string;
  readonly pipelineId: string;
}

const KEY_CHECK = "gofer secret store key check";

const pipelineAad = (ref: PipelineRef, key: string) =>
  `pipeline\u0000${ref.namespaceId}\u0000${ref.pipelineId}\u0000${key}`;
const globalAad = (key: string) => `global\u0000${key}`;

function checkValue(what: string, value: string): void {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > MAX_SECRET_BYTES) {
    throw new InvalidArgumentError(`${what}: value is ${bytes} bytes; the limit is ${MAX_SECRET_BYTES} bytes`);
  }
}

export class SecretStore {
  private readonly cipher: SecretCipher;
  private readonly statements: StatementCache;

  private stmt(sql: string) {
    return this.statements.get(sql);
  }

  private constructor(
    private readonly sqlite: StoreDatabase,
    encryptionKey: string,
    private readonly clock: Clock,
  ) {
    this.cipher = new SecretCipher(encryptionKey);
    this.statements = new StatementCache(sqlite);
  }

  /**
   * Opens (creating if needed) the store at `path`.
   * @throws Error when the store was created with another encryption key.
   */
  static open(path: string, encryptionKey: string, clock: Clock): SecretStore {
    const sqlite = openStoreFile(path);
    try {
      sqlite.exec(`
        CREATE TABLE IF NOT EXISTS store_info (name TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS pipeline_secrets (
          namespace_id TEXT NOT NULL, pipeline_id TEXT NOT NULL, key TEXT NOT NULL,
          value BLOB NOT NULL, created INTEGER NOT NULL,
          PRIMARY KEY (namespace_id, pipeline_id, key)) STRICT;
        CREATE TABLE IF NOT EXISTS global_secrets (
          key TEXT PRIMARY KEY, value BLOB NOT NULL, created INTEGER NOT NULL) STRICT;
      `);
      const store = new SecretStore(sqlite, encryptionKey, clock);
      store.checkKey(path);
      return store;
    } catch (error) {
      sqlite.close();
      throw error;
    }
  }

  private checkKey(path: string): void {
    const row = this.stmt("SELECT value FROM store_info WHERE name = 'key_check'").get() as
      | { value: Buffer }
      | undefined;
    if (!row) {
      this.stmt("INSERT INTO store_info (name, value) VALUES ('key_check', ?)").run(
        this.cipher.encrypt(KEY_CHECK, "key_check"),
      );
      return;
    }
    let text: string | undefined;
    try {
      text = this.cipher.decrypt(row.value, "key_check");
    } catch {
      text = undefined;
    }
    if (text !== KEY_CHECK) {
      throw new Error(
        `secret store ${path}: secret_store.sqlite.encryption_key is not the key this store was created with; ` +
          "start with the original key (the key cannot be changed in place)",
      );
    }
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  // ---- pipeline secrets ------------------------------------------------------------------------------------------

  /** @returns the value's size in bytes. */
  putPipelineSecret(ref: PipelineRef, key: string, value: string, force: boolean): number {
    checkStoreKey("secret key", key);
    checkValue(`pipeline secret "${key}"`, value);
    const stored = this.cipher.encrypt(value, pipelineAad(ref, key));
    const now = this.clock.now().getTime();
    const sql = force
      ? "INSERT INTO pipeline_secrets VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, created = excluded.created"
      : "INSERT INTO pipeline_secrets VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    const result = this.stmt(sql).run(ref.namespaceId, ref.pipelineId, key, stored, now);
    if (result.changes === 0) {
      throw new AlreadyExistsError(
        `pipeline secret "${key}" already exists in pipeline "${ref.namespaceId}/${ref.pipelineId}"; use force to overwrite it`,
      );
    }
    return Buffer.byteLength(value, "utf8");
  }

  /** @throws NotFoundError naming the key. The value is decrypted only when asked for. */
  getPipelineSecret(ref: PipelineRef, key: string, includeSecret: boolean): SecretKeyInfo & { value: string } {
    checkStoreKey("secret key", key);
    const row = this.stmt(
      "SELECT value, created FROM pipeline_secrets WHERE namespace_id = ? AND pipeline_id = ? AND key = ?",
    ).get(ref.namespaceId, ref.pipelineId, key) as { value: Buffer; created: number } | undefined;
    if (!row) {
      throw new NotFoundError(`pipeline secret "${key}" not found in pipeline "${ref.namespaceId}/${ref.pipelineId}"`);
    }
    return {
      key,
      created: row.created,
      value: includeSecret ? this.cipher.decrypt(row.value, pipelineAad(ref, key)) : "",
    };
  }

  /** The decrypted value, or undefined when there is none (interpolation). */
  pipelineSecretValue(ref: PipelineRef, key: string): string | undefined {
    const row = this.stmt(
      "SELECT value FROM pipeline_secrets WHERE namespace_id = ? AND pipeline_id = ? AND key = ?",
    ).get(ref.namespaceId, ref.pipelineId, key) as { value: Buffer } | undefined;
    return row && this.cipher.decrypt(row.value, pipelineAad(ref, key));
  }

  listPipelineSecrets(ref: PipelineRef): SecretKeyInfo[] {
    return this.stmt(
      "SELECT key, created FROM pipeline_secrets WHERE namespace_id = ? AND pipeline_id = ? ORDER BY created, key",
    ).all(ref.namespaceId, ref.pipelineId) as SecretKeyInfo[];
  }

  /** Deleting an absent key succeeds, as in the original. */
  deletePipelineSecret(ref: PipelineRef, key: string): void {
    checkStoreKey("secret key", key);
    this.stmt("DELETE FROM pipeline_secrets WHERE namespace_id = ? AND pipeline_id = ? AND key = ?").run(
      ref.namespaceId,
      ref.pipelineId,
      key,
    );
  }

  /** A pipeline was deleted: so are its secrets (the original kept the values, §9.7 S7). */
  deletePipeline(ref: PipelineRef): void {
    this.stmt("DELETE FROM pipeline_secrets WHERE namespace_id = ? AND pipeline_id = ?").run(
      ref.namespaceId,
      ref.pipelineId,
    );
  }

  deleteNamespace(namespaceId: string): void {
    this.stmt("DELETE FROM pipeline_secrets WHERE namespace_id = ?").run(namespaceId);
  }

  // ---- global secrets --------------------------------------------------------------------------------------------

  putGlobalSecret(key: string, value: string, force: boolean): number {
    checkStoreKey("secret key", key);
    checkValue(`global secret "${key}"`, value);
    const stored = this.cipher.encrypt(value, globalAad(key));
    const now = this.clock.now().getTime();
    const sql = force
      ? "INSERT INTO global_secrets VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, created = excluded.created"
      : "INSERT INTO global_secrets VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
    if (this.stmt(sql).run(key, stored, now).changes === 0) {
      throw new AlreadyExistsError(`global secret "${key}" already exists; use force to overwrite it`);
    }
    return Buffer.byteLength(value, "utf8");
  }

  getGlobalSecret(key: string, includeSecret: boolean): SecretKeyInfo & { value: string } {
    checkStoreKey("secret key", key);
    const row = this.stmt("SELECT value, created FROM global_secrets WHERE key = ?").get(key) as
      | { value: Buffer; created: number }
      | undefined;
    if (!row) throw new NotFoundError(`global secret "${key}" not found`);
    return { key, created: row.created, value: includeSecret ? this.cipher.decrypt(row.value, globalAad(key)) : "" };
  }

  globalSecretValue(key: string): string | undefined {
    const row = this.stmt("SELECT value FROM global_secrets WHERE key = ?").get(key) as { value: Buffer } | undefined;
    return row && this.cipher.decrypt(row.value, globalAad(key));
  }

  listGlobalSecrets(): SecretKeyInfo[] {
    return this.stmt("SELECT key, created FROM global_secrets ORDER BY created, key").all() as SecretKeyInfo[];
  }

  deleteGlobalSecret(key: string): void {
    checkStoreKey("secret key", key);
    this.stmt("DELETE FROM global_secrets WHERE key = ?").run(key);
  }
}
