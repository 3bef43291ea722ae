// winston with a level gate, for Gofer's server and for tests (a trigger process logs through the lean logger.ts).
import winston from "winston";
import { toWinstonLevel } from "./logger.js";

/**
 * winston.createLogger whose format first drops what the logger's level hides. winston runs every message through
 * the whole format (timestamp, JSON or colours) and only then lets the transport discard it by level; on a hot path
 * (a debug line per trigger event) that formatting was a measurable share of the work.
 */
export function createLevelGatedLogger(options: winston.LoggerOptions): winston.Logger {
  let logger: winston.Logger | undefined;
  const gate = winston.format((info) => (logger === undefined || logger.isLevelEnabled(info.level) ? info : false));
  logger = winston.createLogger({
    ...options,
    format: options.format ? winston.format.combine(gate(), options.format) : gate(),
  });
  gateLevelMethods(logger);
  return logger;
}

/**
 * Makes logger.info(...) and the other level methods return at once when the level hides them: before the format
 * gate can drop a line, winston has already built its entry and pushed it through its stream. Children made with
 * child() inherit these methods, and the check reads the level at each call, so a changed level is followed.
 */
function gateLevelMethods(logger: winston.Logger): void {
  const methods = logger as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const level of Object.keys(logger.levels)) {
    const write = methods[level];
    if (typeof write !== "function") continue;
    methods[level] = function (this: winston.Logger, ...args: unknown[]) {
      return this.isLevelEnabled(level) ? write.apply(this, args) : this;
    };
  }
}

/** A winston logger writing the trigger's JSON lines to stderr; for tests and tools that want winston's features. */
export function createLogger(options: { level?: string; name?: string; silent?: boolean } = {}): winston.Logger {
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
