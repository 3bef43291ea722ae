// Files the server keeps that hold secrets: the database (pipeline variables, registry credentials, token hashes),
// TLS keys and certificates, and task logs (whatever tasks print). The server creates them readable by its own user
// only (files 0600, directories 0700) and warns at start about existing ones that others can read; it does not
// change the modes of files it did not create, since an operator may have chosen them.
import { closeSync, openSync, statSync } from "node:fs";
import type { Logger } from "winston";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
/**
 * api-cert.pem only: the API's certificate (public by nature) handed to extensions as SSL_CERT_FILE and mounted into
 * their containers, where a non-root user must be able to read it. Its key stays 0600.
 */
export const PUBLIC_CERT_MODE = 0o644;

/** Creates an empty file with mode 0600 unless it exists, so a library that creates it later keeps that mode. */
export function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, "wx", PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

export interface PrivatePath {
  readonly path: string;
  /** What it is, for the warning: "database", "task log directory", … */
  readonly what: string;
}

/**
 * Each existing path whose mode lets group or others in, as "<what> <path> has mode 0644; expected 0600".
 * Missing paths are skipped: they will be created private. So are sticky directories such as /tmp.
 */
export function findWideModes(paths: readonly PrivatePath[]): string[] {
  const found: string[] = [];
  for (const { path, what } of paths) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(path);
    } catch {
      continue;
    }
    // A sticky shared directory (/tmp, the default task log directory) is shared by design; what the server
    // creates inside it is private.
    if (stats.isDirectory() && (stats.mode & 0o1000) !== 0) continue;
    const mode = stats.mode & 0o777;
    if ((mode & 0o077) === 0) continue;
    const expected = stats.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    found.push(
      `${what} ${path} has mode ${octal(mode)}; expected ${octal(expected)} (chmod ${octal(expected)} ${path})`,
    );
  }
  return found;
}

export function warnAboutWideModes(paths: readonly PrivatePath[], logger: Logger): void {
  for (const message of findWideModes(paths)) logger.warn(`others can read a private file: ${message}`);
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
