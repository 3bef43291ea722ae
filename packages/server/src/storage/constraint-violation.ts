// better-sqlite3 reports constraint failures as SqliteError with an extended result code, pg as an error with the
// SQLSTATE in `code`; callers turn either into ALREADY_EXISTS / NOT_FOUND without parsing messages.

/** SQLSTATE unique_violation. */
const PG_UNIQUE_VIOLATION = "23505";
/** SQLSTATE foreign_key_violation. */
const PG_FOREIGN_KEY_VIOLATION = "23503";

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A row with the same primary key or unique value already exists. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === PG_UNIQUE_VIOLATION;
}

/** The row refers to a parent that does not exist (e.g. a pipeline in a missing namespace). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === PG_FOREIGN_KEY_VIOLATION;
}
