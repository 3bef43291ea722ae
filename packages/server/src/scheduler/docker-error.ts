// How errors from the Docker API are told apart and put into words. dockerode rejects with the Node socket error when
// the daemon cannot be reached (code ENOENT, ECONNREFUSED, …) and with an Error carrying `statusCode` and the daemon's
// JSON `{ message }` when the daemon answered with an error.
import { errorMessage } from "../errors.js";

const UNREACHABLE_CODES = new Set([
  "ENOENT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EACCES",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

interface DockerErrorShape {
  code?: unknown;
  statusCode?: unknown;
  json?: unknown;
  address?: unknown;
}

function shape(error: unknown): DockerErrorShape {
  return typeof error === "object" && error !== null ? (error as DockerErrorShape) : {};
}

export function dockerStatusCode(error: unknown): number | undefined {
  const code = shape(error).statusCode;
  return typeof code === "number" ? code : undefined;
}

/** The daemon did not answer at all (not running, no permission on the socket, connection dropped). */
export function isDaemonUnreachable(error: unknown): boolean {
  const code = shape(error).code;
  return typeof code === "string" && UNREACHABLE_CODES.has(code);
}

export function isNotFound(error: unknown): boolean {
  return dockerStatusCode(error) === 404;
}

/** The daemon's own sentence when it answered with an error, else the error's message. */
export function dockerErrorMessage(error: unknown): string {
  const json = shape(error).json;
  if (typeof json === "object" && json !== null && typeof (json as { message?: unknown }).message === "string") {
    return (json as { message: string }).message.trim();
  }
  if (typeof json === "string" && json.trim() !== "") return json.trim();
  // dockerode prefixes what it could not parse with "(HTTP code 500) server error - ".
  return errorMessage(error)
    .replace(/^\(HTTP code \d+\) [^-]*- /, "")
    .trim();
}

/** "Docker daemon unreachable at unix:///var/run/docker.sock (connect ENOENT …): is Docker running?" */
export function describeUnreachable(error: unknown, daemonAddress: string): string {
  const code = shape(error).code;
  const detail = errorMessage(error);
  const hint = code === "EACCES" ? "does this user have access to the socket?" : "is Docker running?";
  return `Docker daemon unreachable at ${daemonAddress} (${detail}): ${hint}`;
}
