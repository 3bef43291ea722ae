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

/**
 * winston.createLogger whose format first drops what the logger's level hides. winston runs every message through
 * the whole format (timestamp, JSON or colours) and only then lets the transport discard it by level; on a hot path
 * (a debug line per trigger event) that formatting was a measurable share of the work.
 */
export function createLevelGatedLogger(options: winston.LoggerOptions): Logger {
  let logger: Logger | undefined;
  const gate = winston.format((info) => (logger === undefined || logger.isLevelEnabled(info.level) ? info : false));
  logger = winston.createLogger({
    ...options,
    format: options.format ? winston.format.combine(gate(), options.format) : gate(),
  });
  return logger;
}

export function createLogger(options: { level?: string; name?: string; silent?: boolean } = {}): Logger {
  return createLevelGatedLogger({
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
