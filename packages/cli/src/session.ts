// What one command invocation works with: its settings (cli-config.ts), its output, and a connection opened on first
// use. `action()` wraps every client command's handler: it builds the session from the global flags, turns any
// failure into `gofer: <message>` on stderr plus an exit code, and closes the connection however the command ends.
import { type CliConfig, loadCliConfig } from "./cli-config.js";
import type { CliIo } from "./cli-io.js";
import { type Connection, openConnection } from "./connection.js";
import { CliError, ExitCode } from "./exit-codes.js";
import { fromGrpcError, isServiceError } from "./grpc-errors.js";
import { Output } from "./output/output.js";
import { colorAllowed, createPalette } from "./output/palette.js";

/** Shared by all commands of one run; action() records the failing command's exit code here. */
export interface CommandContext {
  readonly io: CliIo;
  exitCode: number;
}

/** The global flags (yargs names). `config` is an array inside `trigger install`, where -c/--config means KEY=VALUE. */
export interface GlobalArgs {
  config?: string | string[] | undefined;
  host?: string | undefined;
  token?: string | undefined;
  namespace?: string | undefined;
  format?: string | undefined;
  detail?: boolean | undefined;
  color?: boolean | undefined;
  tlsCa?: string | undefined;
  insecurePlaintext?: boolean | undefined;
}

export class Session {
  private connection: Promise<Connection> | undefined;

  constructor(
    readonly io: CliIo,
    readonly config: CliConfig,
    readonly output: Output,
  ) {}

  /** The namespace for requests; "" lets the server pick the token's (or "default"). */
  get namespace(): string {
    return this.config.namespace;
  }

  connect(): Promise<Connection> {
    this.connection ??= openConnection(this.config, this.io.cwd);
    return this.connection;
  }

  close(): void {
    void this.connection?.then(
      (c) => c.close(),
      () => {},
    );
  }
}

export interface ActionOptions {
  /** false when the command's own --config means something else (trigger install: KEY=VALUE). */
  readonly configFlagIsCliConfig?: boolean;
}

/**
 * The returned handler accepts any parsed arguments: yargs infers argument types from builders, which positional
 * `<id>`s escape, so each handler declares the arguments it reads as A instead.
 */
export function action<A extends GlobalArgs>(
  context: CommandContext,
  handler: (session: Session, args: A) => Promise<void>,
  options: ActionOptions = {},
): (parsed: object) => Promise<void> {
  return async (parsed) => {
    const args = parsed as A;
    let session: Session | undefined;
    try {
      const config = loadCliConfig(
        {
          config: options.configFlagIsCliConfig === false || typeof args.config !== "string" ? undefined : args.config,
          host: args.host,
          token: args.token,
          namespace: args.namespace,
          format: args.format,
          detail: args.detail,
          color: args.color,
          tlsCa: args.tlsCa,
          insecurePlaintext: args.insecurePlaintext,
        },
        context.io,
      );
      session = new Session(context.io, config, new Output(context.io, config));
      await handler(session, args);
    } catch (error) {
      context.exitCode = reportError(error, context.io, session?.config);
    } finally {
      session?.close();
    }
  };
}

export function toCliError(error: unknown, config: CliConfig | undefined): CliError {
  if (error instanceof CliError) return error;
  if (isServiceError(error)) return fromGrpcError(error, config?.host ?? "the server", Boolean(config?.token));
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(message, ExitCode.Failure, { cause: error });
}

/** Prints `gofer: <message>` (and the hint) on stderr; returns the exit code. */
export function reportError(error: unknown, io: CliIo, config: CliConfig | undefined): number {
  const cliError = toCliError(error, config);
  const colors = createPalette(
    colorAllowed(io.stderr, {
      noColor: config?.noColor ?? Boolean(io.env.NO_COLOR),
      format: config?.format ?? "pretty",
    }),
  );
  io.stderr.write(`${colors.red("gofer:")} ${cliError.message}\n`);
  if (cliError.hint) io.stderr.write(`${colors.dim(`hint: ${cliError.hint}`)}\n`);
  if (
    cliError.exitCode === ExitCode.Failure &&
    !(error instanceof CliError) &&
    config?.detail &&
    error instanceof Error
  ) {
    io.stderr.write(`${error.stack ?? ""}\n`);
  }
  return cliError.exitCode;
}
