// Structured logs for triggers: JSON lines on stderr (stdout belongs to installer output), at the level Gofer passes
// in GOFER_PLUGIN_SYSTEM_LOG_LEVEL.
import winston from "winston";

export type Logger = winston.Logger;

/** Maps the original's zerolog levels; anything unknown means debug, as there (spec §3.2). */
export function toWinstonLevel(level: string | undefined): string {
  switch ((level ?? "info").toLowerCase()) {
    case "debug":
    case "trace":
      return "debug";
    case "info":
      return "info";
    case "warn":
      return "warn";
    case "error":
    case "fatal":
    case "panic":
      return "error";
    default:
      return "debug";
  }
}

export function createLogger(options: { level?: string; name?: string; silent?: boolean } = {}): Logger {
  return winston.createLogger({
    level: toWinstonLevel(options.level),
    silent: options.silent ?? false,
    defaultMeta: options.name ? { trigger: options.name } : undefined,
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream: process.stderr })],
  });
}
