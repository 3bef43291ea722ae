// better-sqlite3 reports constraint failures as SqliteError with an extended result code; callers turn these into
// ALREADY_EXISTS / NOT_FOUND without parsing messages.

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A row with the same primary key or unique value already exists. */
export function isUniqueViolation(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** The row refers to a parent that does not exist (e.g. a pipeline in a missing namespace). */
export function isForeignKeyViolation(error: unknown): boolean {
  return sqliteCode(error) === "SQLITE_CONSTRAINT_FOREIGNKEY";
}
