// gRPC status → the CLI's error classes (exit-codes.ts). The server's own sentence is kept: it names the field and
// the value. Hints say what to do next.
import { status } from "@grpc/grpc-js";
import { CliError, ExitCode } from "./exit-codes.js";
import { unreachable } from "./server-trust.js";

const TOKEN_HINT =
  'pass --token, set GOFER_CLI_TOKEN or token in ~/.gofer.toml (a management token can make one: "gofer service tokens create client")';

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
        ExitCode.Connection,
        options,
      );
    case status.NOT_FOUND:
      return new CliError(details, ExitCode.NotFound, options);
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return new CliError(details, ExitCode.Permission, hasToken ? options : { ...options, hint: TOKEN_HINT });
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return new CliError(details, ExitCode.Usage, options);
    case status.CANCELLED:
      return new CliError(`cancelled: ${details}`, ExitCode.Interrupted, options);
    case status.UNIMPLEMENTED:
      return new CliError(`the server at ${host} does not support this: ${details}`, ExitCode.Failure, options);
    default:
      return new CliError(details, ExitCode.Failure, options);
  }
}
