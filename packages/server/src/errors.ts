// The few domain errors the server throws. api/status.ts maps them to gRPC codes in one place; anything else becomes
// INTERNAL with its detail logged, not sent. Messages name the field and the value.

export class NotFoundError extends Error {
  override name = "NotFoundError";
}

export class InvalidArgumentError extends Error {
  override name = "InvalidArgumentError";
}

export class FailedPreconditionError extends Error {
  override name = "FailedPreconditionError";
}

export class AlreadyExistsError extends Error {
  override name = "AlreadyExistsError";
}

export class PermissionDeniedError extends Error {
  override name = "PermissionDeniedError";
}

export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
}

export class UnimplementedError extends Error {
  override name = "UnimplementedError";
}

/** A non-Error throw becomes an Error whose cause is the original value. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : JSON.stringify(value), { cause: value });
}

export function errorMessage(value: unknown): string {
  return toError(value).message;
}
