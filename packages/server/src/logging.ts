// The server's logger: JSON lines by default, human-readable in dev (pretty_logging), at log_level. Trigger output is
// logged through it with the trigger's name attached. Pretty lines are coloured only on a terminal, and never when
// NO_COLOR is set (to anything but ""), so a log redirected to a file holds no escape codes.
import { createLevelGatedLogger } from "@gofer/trigger-sdk";
import winston from "winston";

export type Logger = winston.Logger;

export interface ServerLoggerOptions {
  level: string;
  pretty: boolean;
  silent?: boolean;
  /** Where lines go; default process.stderr. */
  stream?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Colour pretty lines; default: the stream is a terminal and NO_COLOR is unset or empty. */
  color?: boolean;
}

/** Whether a log written to stream may carry colour: only a terminal, and not when NO_COLOR is set. */
export function logColorAllowed(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? "") === "";
}

export function createServerLogger(options: ServerLoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const color = options.color ?? logColorAllowed(stream, process.env);
  const pretty = winston.format.printf(({ level, message, timestamp, ...rest }) => {
    const fields = Object.entries(rest)
      .filter(([key]) => key !== "stack")
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    return `${String(timestamp).slice(11, 23)} ${level} ${String(message)}${fields ? ` ${fields}` : ""}`;
  });
  return createLevelGatedLogger({
    level: options.level,
    silent: options.silent ?? false,
    format: options.pretty
      ? winston.format.combine(winston.format.timestamp(), ...(color ? [winston.format.colorize()] : []), pretty)
      : winston.format.combine(
          winston.format.timestamp(),
          winston.format.errors({ stack: true }),
          winston.format.json(),
        ),
    transports: [new winston.transports.Stream({ stream })],
  });
}
