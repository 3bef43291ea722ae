// The server's logger: JSON lines by default, human-readable in dev (pretty_logging), at log_level. Trigger output is
// logged through it with the trigger's name attached.
import { createLevelGatedLogger } from "@gofer/trigger-sdk";
import winston from "winston";

export type Logger = winston.Logger;

export function createServerLogger(options: { level: string; pretty: boolean; silent?: boolean }): Logger {
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
      ? winston.format.combine(winston.format.timestamp(), winston.format.colorize(), pretty)
      : winston.format.combine(
          winston.format.timestamp(),
          winston.format.errors({ stack: true }),
          winston.format.json(),
        ),
    transports: [new winston.transports.Stream({ stream: process.stderr })],
  });
}
