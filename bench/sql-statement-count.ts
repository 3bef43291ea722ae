// Counts the SQL statements better-sqlite3 runs in this process (the benchmark's in-process server), and the commits
// (transactions, and writes made outside one), by wrapping the methods of its Statement class once. For benchmarks only: a counter per statement.
import { createRequire } from "node:module";

export interface StatementCount {
  statements: number;
  commits: number;
}

interface Statement {
  readonly source: string;
  readonly reader: boolean;
  readonly database: { readonly inTransaction: boolean };
}

const count: StatementCount = { statements: 0, commits: 0 };
let installed = false;

/** Starts counting (once per process); read the totals with statementCount(). */
export function countStatements(): void {
  if (installed) return;
  installed = true;
  // better-sqlite3 as the server resolves it; its Statement class is reached through a statement of a scratch database.
  const require = createRequire(import.meta.resolve("@gofer/server"));
  const Database = require("better-sqlite3") as new (
    path: string,
  ) => {
    prepare(sql: string): object;
    close(): void;
  };
  const scratch = new Database(":memory:");
  const prototype = Object.getPrototypeOf(scratch.prepare("select 1")) as Record<string, unknown>;
  scratch.close();
  for (const method of ["run", "all", "get", "iterate"]) {
    const original = prototype[method] as (...args: unknown[]) => unknown;
    prototype[method] = function (this: Statement, ...args: unknown[]) {
      count.statements += 1;
      // A write outside a transaction commits on its own.
      if (this.source === "commit" || (!this.reader && !this.database.inTransaction && this.source !== "begin")) {
        count.commits += 1;
      }
      return original.apply(this, args);
    };
  }
}

export function statementCount(): StatementCount {
  return { ...count };
}
