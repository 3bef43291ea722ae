// Exit codes of `gofer`, distinct per error class so scripts can branch on them without parsing messages.
// 0 success · 1 any other failure · 2 usage or invalid input · 3 cannot reach the server · 4 not found ·
// 5 not authenticated or not allowed · 130 interrupted (Ctrl-C).

export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  Connection: 3,
  NotFound: 4,
  Permission: 5,
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  /** A second line telling the user what to do about it. */
  hint?: string;
  cause?: unknown;
}

/** An error the CLI reports as `gofer: <message>` (plus the hint) and exits with exitCode. */
export class CliError extends Error {
  override name = "CliError";
  readonly hint: string | undefined;

  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options: CliErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, ExitCode.Usage, hint === undefined ? {} : { hint });
}
