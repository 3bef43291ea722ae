// The one place that maps domain errors to gRPC status codes. Anything unknown is INTERNAL: its detail is logged
// with an id, and the client gets only that id, never the internals.
import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import type { Logger } from "winston";
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  toError,
  UnauthenticatedError,
  UnimplementedError,
} from "../errors.js";

const CODES: Array<[new (...args: never[]) => Error, status]> = [
  [NotFoundError, status.NOT_FOUND],
  [InvalidArgumentError, status.INVALID_ARGUMENT],
  [FailedPreconditionError, status.FAILED_PRECONDITION],
  [AlreadyExistsError, status.ALREADY_EXISTS],
  [PermissionDeniedError, status.PERMISSION_DENIED],
  [UnauthenticatedError, status.UNAUTHENTICATED],
  [UnimplementedError, status.UNIMPLEMENTED],
];

export interface StatusObject {
  code: status;
  details: string;
}

export function toStatus(thrown: unknown, logger: Logger, method: string): StatusObject {
  const error = toError(thrown);
  for (const [type, code] of CODES) {
    if (error instanceof type) return { code, details: error.message };
  }
  const incident = randomBytes(4).toString("hex");
  logger.error("internal error", { method, incident, error: error.message, stack: error.stack });
  return { code: status.INTERNAL, details: `internal error (incident ${incident}); see the server log` };
}
