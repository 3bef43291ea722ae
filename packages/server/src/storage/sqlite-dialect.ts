// kysely's dialect for our one better-sqlite3 connection. kysely's own SqliteDialect does the same job with two costs
// that show on the event path, where every trigger event and run state change is a transaction:
//  - it prepares every query anew, and preparing costs more than running a small query; here statements are kept per
//    SQL text (the server issues the same few dozen texts over and over);
//  - its connection lock wakes every waiter on each release and all but one go back to sleep, so with many runs
//    writing at once each release costs as much as there are waiters; here waiters queue and the connection is handed
//    to the next one directly, in the order they asked.
import type BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";

/** Prepared statements kept per SQL text; beyond this many distinct texts the cache starts over. */
const STATEMENT_CACHE_LIMIT = 500;

export class BetterSqliteDialect implements Dialect {
  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  createDriver(): Driver {
    return new BetterSqliteDriver(this.sqlite);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: kysely's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class BetterSqliteDriver implements Driver {
  private readonly connection: BetterSqliteConnection;
  private held = false;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly sqlite: BetterSqlite3.Database) {
    this.connection = new BetterSqliteConnection(sqlite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.held) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.held = true;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiters.shift();
    // Handed over still held: nobody can slip in between this release and the next waiter's turn.
    if (next) next();
    else this.held = false;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite rolls back by itself on some errors (SQLITE_FULL, SQLITE_IOERR…): a second rollback would fail with
    // "no transaction is active" and hide the error that matters.
    if (!this.sqlite.inTransaction) return;
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async destroy(): Promise<void> {
    this.sqlite.close();
  }
}

class BetterSqliteConnection implements DatabaseConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.statement(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // A statement of its own: a cached one could be wanted by another query while this one is being iterated.
    const statement = this.sqlite.prepare(compiled.sql);
    if (!statement.reader) throw new Error("only queries that return rows can be streamed");
    for (const row of statement.iterate(compiled.parameters as unknown[])) yield { rows: [row as R] };
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      statement = this.sqlite.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
