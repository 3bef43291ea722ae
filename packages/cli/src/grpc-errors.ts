// gRPC status → the CLI's error classes (exit-codes.ts), decided per status code (GRPC_EXIT_CODES, listed in the
// help and the README). The server's own sentence is kept: it names the field and the value. Hints say what to do
// next.
import { status } from "@grpc/grpc-js";
import { CliError, ExitCode } from "./exit-codes.js";
import { unreachable } from "./server-trust.js";

const TOKEN_HINT =
  'pass --token, set GOFER_CLI_TOKEN or token in ~/.gofer.toml (a management token can make one: "gofer service tokens create client")';

/**
 * The exit code for each status the server answers with. The user's request is the problem (2) when it is malformed
 * (INVALID_ARGUMENT, OUT_OF_RANGE), names something that already exists (ALREADY_EXISTS), or cannot be done as things
 * stand until the user changes something (FAILED_PRECONDITION: a trigger that is not installed, a setting the trigger
 * refuses, a disabled pipeline, a run already complete).
 */
export const GRPC_EXIT_CODES: ReadonlyArray<readonly [keyof typeof status, ExitCode]> = [
  ["INVALID_ARGUMENT", ExitCode.Usage],
  ["FAILED_PRECONDITION", ExitCode.Usage],
  ["ALREADY_EXISTS", ExitCode.Usage],
  ["OUT_OF_RANGE", ExitCode.Usage],
  ["UNAVAILABLE", ExitCode.Connection],
  ["DEADLINE_EXCEEDED", ExitCode.Connection],
  ["NOT_FOUND", ExitCode.NotFound],
  ["UNAUTHENTICATED", ExitCode.Permission],
  ["PERMISSION_DENIED", ExitCode.Permission],
  ["CANCELLED", ExitCode.Interrupted],
];

/** "2 for INVALID_ARGUMENT, FAILED_PRECONDITION, …; 3 for …" — every other status exits 1. */
export function describeGrpcExitCodes(): string {
  const byCode = new Map<ExitCode, string[]>();
  for (const [name, code] of GRPC_EXIT_CODES) byCode.set(code, [...(byCode.get(code) ?? []), name]);
  return [...byCode].map(([code, names]) => `${code} for ${names.join(", ")}`).join("; ");
}

function exitCodeOf(code: status): ExitCode {
  return GRPC_EXIT_CODES.find(([name]) => status[name] === code)?.[1] ?? ExitCode.Failure;
}

export function isServiceError(error: unknown): error is Error & { code: status; details: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "number" && "details" in error;
}

export function fromGrpcError(
  error: Error & { code: status; details: string },
  host: string,
  hasToken: boolean,
): CliError {
  const details = error.details || error.message;
  const options = { cause: error };
  switch (error.code) {
    case status.UNAVAILABLE:
      if (/certificate|self[- ]signed|SSL|TLS|handshake/i.test(details)) {
        return new CliError(`the server at ${host} is not trusted: ${details}`, ExitCode.Connection, {
          ...options,
          hint: "pass --tls-ca <file> with the CA (or the exact certificate) of the server",
        });
      }
      return unreachable(host, details);
    case status.DEADLINE_EXCEEDED:
      return new CliError(
        `the Gofer server at ${host} did not answer in time: ${details}`,
        exitCodeOf(error.code),
        options,
      );
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return new CliError(details, exitCodeOf(error.code), hasToken ? options : { ...options, hint: TOKEN_HINT });
    case status.CANCELLED:
      return new CliError(`cancelled: ${details}`, exitCodeOf(error.code), options);
    case status.UNIMPLEMENTED:
      return new CliError(`the server at ${host} does not support this: ${details}`, exitCodeOf(error.code), options);
    default:
      return new CliError(details, exitCodeOf(error.code), options);
  }
}
