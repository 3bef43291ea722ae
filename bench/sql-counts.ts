// Counts the SQL statements the server in this process runs, and of them the commits (a COMMIT, or a write made
// outside a transaction, which commits on its own), by wrapping better-sqlite3's statement methods (the server's
// sqlite dialect runs every query through them). For figures per event: statements
// and transactions are what the event path's cost is made of, and they do not vary with the machine's load.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface SqlCounts {
  statements: number;
  commits: number;
}

interface Statement {
  readonly source: string;
  readonly reader: boolean;
  readonly database: { readonly inTransaction: boolean };
}

const counts: SqlCounts = { statements: 0, commits: 0 };
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  // better-sqlite3 as the server resolves it, so the wrapped prototype is the one its statements use.
  const require = createRequire(fileURLToPath(import.meta.resolve("@gofer/server")));
  const Database = require("better-sqlite3") as new (
    path: string,
  ) => {
    prepare(sql: string): object;
    close(): void;
  };
  const probe = new Database(":memory:");
  const prototype = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, unknown> & { source?: string };
  probe.close();
  for (const method of ["run", "all", "get", "iterate"]) {
    const original = prototype[method] as (...args: unknown[]) => unknown;
    prototype[method] = function (this: Statement, ...args: unknown[]) {
      counts.statements += 1;
      if (this.source === "commit" || (!this.reader && !this.database.inTransaction && this.source !== "begin")) {
        counts.commits += 1;
      }
      return original.apply(this, args);
    };
  }
}

/** Starts counting (once per process); returns a function that gives the counts since this call. */
export function countSql(): () => SqlCounts {
  install();
  const start = { ...counts };
  return () => ({ statements: counts.statements - start.statements, commits: counts.commits - start.commits });
}
