// Queries on the hot paths (every trigger event, every run state change) are written with kysely's builder like the
// rest, but built and compiled once: building and compiling a small query costs more than sqlite running it.
//
//   const byId = preparedQuery((db, p: Params<{ id: number }>) => db.selectFrom("runs").selectAll().where("id", "=", p.id));
//   const rows = await byId(trxOrDb, { id: 7 });
//
// `p.id` stands for the value while the query is built; each call substitutes the real values in the compiled
// parameters. The query runs on whatever it is given (the database or a transaction), so it composes like any other
// query. Only scalar parameters can be placeholders: a list (`in`) changes the SQL text with its length.
// The compiled text depends on the dialect (`?` or `$1` placeholders), so it is kept per dialect: a process (a test
// run) may hold a sqlite and a Postgres database at once.
import { type Compilable, type CompiledQuery, createQueryId, type Kysely, type QueryResult } from "kysely";
import type { Schema } from "./schema.js";

/** Stands for the parameter `name` while a prepared query is built. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** The placeholders a prepared query is built with, typed as the values they stand for. */
export type Params<T extends Record<string, unknown>> = { readonly [K in keyof T]: T[K] };

interface Template {
  readonly compiled: CompiledQuery;
  /** For each compiled parameter: the name it stands for, or the constant the builder put there. */
  readonly slots: ReadonlyArray<{ readonly name: string } | { readonly constant: unknown }>;
}

export type PreparedQuery<T extends Record<string, unknown>, Row> = (
  db: Kysely<Schema>,
  values: T,
) => Promise<QueryResult<Row>>;

export function preparedQuery<T extends Record<string, unknown>, Row>(
  build: (db: Kysely<Schema>, params: Params<T>) => Compilable<Row>,
): PreparedQuery<T, Row> {
  const templates = new Map<unknown, Template>();
  return (db, values) => {
    const dialect = db.getExecutor().adapter.constructor;
    let template = templates.get(dialect);
    if (template === undefined) {
      template = compileTemplate(db, build);
      templates.set(dialect, template);
    }
    const parameters = template.slots.map((slot) => ("name" in slot ? values[slot.name] : slot.constant));
    return db.executeQuery<Row>({
      sql: template.compiled.sql,
      query: template.compiled.query,
      parameters,
      queryId: createQueryId(),
    });
  };
}

function compileTemplate<T extends Record<string, unknown>, Row>(
  db: Kysely<Schema>,
  build: (db: Kysely<Schema>, params: Params<T>) => Compilable<Row>,
): Template {
  const params = new Proxy({} as Params<T>, {
    get: (_target, name) => new Placeholder(String(name)),
  });
  const compiled = build(db, params).compile();
  return {
    compiled,
    slots: compiled.parameters.map((value) =>
      value instanceof Placeholder ? { name: value.name } : { constant: value },
    ),
  };
}
