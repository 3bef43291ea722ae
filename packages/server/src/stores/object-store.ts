// The object store: pipeline objects (kept up to object_store.pipeline_object_limit per pipeline, the oldest evicted)
// and run objects (deleted once their run is object_store.run_object_expiry runs old), in their own sqlite file
// (object_store.sqlite.path) as in the original (spec §9.2). Values are bytes, not encrypted.
//
// Fixes of §9.7: `force` overwrites and an existing key without it is ALREADY_EXISTS for both kinds (S2); eviction
// and delete remove the whole object, so the limit really bounds the store and an evicted key can be put again (S3,
// S4); a miss is NOT_FOUND (S4); empty objects are allowed and every put is one statement (S6); rows are keyed by
// their parts, never by a joined string (S8); deleting a pipeline deletes its objects (S7).
//
// An object arrives whole in one gRPC message (the transport's limit is above the size cap), so the value is held in
// memory once and written straight into sqlite, which keeps it on disk, not in the process.
import type { Clock } from "@gofer/kernel";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { PipelineRef } from "./secret-store.js";
import { openStoreFile, StatementCache, type StoreDatabase } from "./store-file.js";
import { checkStoreKey } from "./store-keys.js";

export interface ObjectKeyInfo {
  readonly key: string;
  readonly created: number;
}

export interface RunRef extends PipelineRef {
  readonly runId: number;
}

export interface ObjectStoreLimits {
  /** Objects kept per pipeline; 0 = no limit. */
  readonly pipelineObjectLimit: number;
  /** Largest object accepted, in bytes. */
  readonly maxObjectBytes: number;
}

export interface PutPipelineObjectResult {
  readonly bytes: number;
  /** Keys evicted to make room, oldest first (one, unless the limit was lowered since). */
  readonly evicted: readonly string[];
}

export class ObjectStore {
  private readonly statements: StatementCache;

  private stmt(sql: string) {
    return this.statements.get(sql);
  }
  private constructor(
    private readonly sqlite: StoreDatabase,
    readonly limits: ObjectStoreLimits,
    private readonly clock: Clock,
  ) {
    this.statements = new StatementCache(sqlite);
  }

  static open(path: string, limits: ObjectStoreLimits, clock: Clock): ObjectStore {
    const sqlite = openStoreFile(path);
    try {
      sqlite.exec(`
        CREATE TABLE IF NOT EXISTS pipeline_objects (
          namespace_id TEXT NOT NULL, pipeline_id TEXT NOT NULL, key TEXT NOT NULL,
          value BLOB NOT NULL, created INTEGER NOT NULL, seq INTEGER NOT NULL,
          PRIMARY KEY (namespace_id, pipeline_id, key)) STRICT;
        CREATE INDEX IF NOT EXISTS pipeline_objects_age ON pipeline_objects (namespace_id, pipeline_id, seq);
        CREATE TABLE IF NOT EXISTS run_objects (
          namespace_id TEXT NOT NULL, pipeline_id TEXT NOT NULL, run_id INTEGER NOT NULL, key TEXT NOT NULL,
          value BLOB NOT NULL, created INTEGER NOT NULL,
          PRIMARY KEY (namespace_id, pipeline_id, run_id, key)) STRICT;
      `);
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return new ObjectStore(sqlite, { ...limits }, clock);
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  private checkSize(what: string, content: Uint8Array): void {
    if (content.byteLength > this.limits.maxObjectBytes) {
      throw new InvalidArgumentError(
        `${what}: content is ${content.byteLength} bytes; the limit is ${this.limits.maxObjectBytes} bytes (object_store.max_object_bytes)`,
      );
    }
  }

  // ---- pipeline objects ------------------------------------------------------------------------------------------

  /**
   * Stores the object; when the pipeline already holds pipeline_object_limit objects (and this is a new key), the
   * oldest is deleted and named in the result.
   */
  putPipelineObject(ref: PipelineRef, key: string, content: Uint8Array, force: boolean): PutPipelineObjectResult {
    checkStoreKey("object key", key);
    this.checkSize(`pipeline object "${key}"`, content);
    const value = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const put = this.sqlite.transaction((): string[] => {
      const exists = this.stmt(
        "SELECT 1 FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ? AND key = ?",
      ).get(ref.namespaceId, ref.pipelineId, key);
      if (exists && !force) {
        throw new AlreadyExistsError(
          `pipeline object "${key}" already exists in pipeline "${ref.namespaceId}/${ref.pipelineId}"; use force to overwrite it`,
        );
      }
      const seq =
        ((
          this.stmt("SELECT max(seq) AS seq FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ?").get(
            ref.namespaceId,
            ref.pipelineId,
          ) as { seq: number | null }
        ).seq ?? 0) + 1;
      let evicted: string[] = [];
      const limit = this.limits.pipelineObjectLimit;
      if (!exists && limit > 0) {
        const { count } = this.stmt(
          "SELECT count(*) AS count FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ?",
        ).get(ref.namespaceId, ref.pipelineId) as { count: number };
        if (count >= limit) {
          const oldest = this.stmt(
            "SELECT key FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ? ORDER BY seq LIMIT ?",
          ).all(ref.namespaceId, ref.pipelineId, count - limit + 1) as Array<{ key: string }>;
          const remove = this.stmt(
            "DELETE FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ? AND key = ?",
          );
          for (const row of oldest) remove.run(ref.namespaceId, ref.pipelineId, row.key);
          evicted = oldest.map((row) => row.key);
        }
      }
      this.stmt(
        "INSERT INTO pipeline_objects VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, created = excluded.created, seq = excluded.seq",
      ).run(ref.namespaceId, ref.pipelineId, key, value, this.clock.now().getTime(), seq);
      return evicted;
    });
    return { bytes: content.byteLength, evicted: put() };
  }

  getPipelineObject(ref: PipelineRef, key: string): Buffer {
    checkStoreKey("object key", key);
    const value = this.pipelineObjectValue(ref, key);
    if (!value) {
      throw new NotFoundError(`pipeline object "${key}" not found in pipeline "${ref.namespaceId}/${ref.pipelineId}"`);
    }
    return value;
  }

  pipelineObjectValue(ref: PipelineRef, key: string): Buffer | undefined {
    const row = this.stmt(
      "SELECT value FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ? AND key = ?",
    ).get(ref.namespaceId, ref.pipelineId, key) as { value: Buffer } | undefined;
    return row?.value;
  }

  /** Oldest first. */
  listPipelineObjects(ref: PipelineRef): ObjectKeyInfo[] {
    return this.stmt(
      "SELECT key, created FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ? ORDER BY seq",
    ).all(ref.namespaceId, ref.pipelineId) as ObjectKeyInfo[];
  }

  deletePipelineObject(ref: PipelineRef, key: string): void {
    checkStoreKey("object key", key);
    this.stmt("DELETE FROM pipeline_objects WHERE namespace_id = ? AND pipeline_id = ? AND key = ?").run(
      ref.namespaceId,
      ref.pipelineId,
      key,
    );
  }

  // ---- run objects -----------------------------------------------------------------------------------------------

  putRunObject(ref: RunRef, key: string, content: Uint8Array, force: boolean): number {
    checkStoreKey("object key", key);
    this.checkSize(`run object "${key}"`, content);
    const value = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const sql = force
      ? "INSERT INTO run_objects VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, created = excluded.created"
      : "INSERT INTO run_objects VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    const result = this.stmt(sql).run(
      ref.namespaceId,
      ref.pipelineId,
      ref.runId,
      key,
      value,
      this.clock.now().getTime(),
    );
    if (result.changes === 0) {
      throw new AlreadyExistsError(
        `run object "${key}" already exists in run ${ref.runId} of pipeline "${ref.namespaceId}/${ref.pipelineId}"; use force to overwrite it`,
      );
    }
    return content.byteLength;
  }

  getRunObject(ref: RunRef, key: string): Buffer {
    checkStoreKey("object key", key);
    const value = this.runObjectValue(ref, key);
    if (!value) {
      throw new NotFoundError(
        `run object "${key}" not found in run ${ref.runId} of pipeline "${ref.namespaceId}/${ref.pipelineId}"`,
      );
    }
    return value;
  }

  runObjectValue(ref: RunRef, key: string): Buffer | undefined {
    const row = this.stmt(
      "SELECT value FROM run_objects WHERE namespace_id = ? AND pipeline_id = ? AND run_id = ? AND key = ?",
    ).get(ref.namespaceId, ref.pipelineId, ref.runId, key) as { value: Buffer } | undefined;
    return row?.value;
  }

  listRunObjects(ref: RunRef): ObjectKeyInfo[] {
    return this.stmt(
      "SELECT key, created FROM run_objects WHERE namespace_id = ? AND pipeline_id = ? AND run_id = ? ORDER BY created, key",
    ).all(ref.namespaceId, ref.pipelineId, ref.runId) as ObjectKeyInfo[];
  }

  deleteRunObject(ref: RunRef, key: string): void {
    checkStoreKey("object key", key);
    this.stmt("DELETE FROM run_objects WHERE namespace_id = ? AND pipeline_id = ? AND run_id = ? AND key = ?").run(
      ref.namespaceId,
      ref.pipelineId,
      ref.runId,
      key,
    );
  }

  /** @returns how many objects the run had. */
  deleteRunObjects(ref: RunRef): number {
    return this.stmt("DELETE FROM run_objects WHERE namespace_id = ? AND pipeline_id = ? AND run_id = ?").run(
      ref.namespaceId,
      ref.pipelineId,
      ref.runId,
    ).changes;
  }

  deletePipeline(ref: PipelineRef): void {
    for (const table of ["pipeline_objects", "run_objects"]) {
      this.stmt(`DELETE FROM ${table} WHERE namespace_id = ? AND pipeline_id = ?`).run(ref.namespaceId, ref.pipelineId);
    }
  }

  deleteNamespace(namespaceId: string): void {
    for (const table of ["pipeline_objects", "run_objects"]) {
      this.stmt(`DELETE FROM ${table} WHERE namespace_id = ?`).run(namespaceId);
    }
  }
}
