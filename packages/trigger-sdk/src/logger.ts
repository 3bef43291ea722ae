// Structured logs for triggers: one JSON object per line on stderr (stdout belongs to installer output), at the level
// Gofer passes in GOFER_PLUGIN_SYSTEM_LOG_LEVEL. The same shape as winston's JSON format (level, message, timestamp and
// the fields), which is what Gofer's supervisor reads back, without loading winston into every trigger process
// (~5 MB of resident memory). A winston logger (createLogger in winston-logger.ts) fits the Logger interface too.

/** What a trigger logs through; `meta` fields are merged into the line. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

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

const SEVERITY: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LoggerOptions {
  /** A zerolog or winston level name; default info. */
  level?: string;
  /** Added to every line as `trigger`. */
  name?: string;
  silent?: boolean;
  /** Where lines go; default process.stderr (written synchronously for files and pipes, so nothing waits at exit). */
  stream?: { write(line: string): unknown };
}

/** Fields JSON.stringify cannot write as they are: an Error becomes its message, a bigint its digits. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return value.message;
  return value;
}

export function createJsonLineLogger(options: LoggerOptions = {}): Logger {
  const threshold = options.silent ? -1 : (SEVERITY[toWinstonLevel(options.level)] as number);
  const stream = options.stream ?? process.stderr;
  const write = (level: string, message: string, meta: Record<string, unknown> | undefined) => {
    if ((SEVERITY[level] as number) > threshold) return;
    const entry = { level, message, ...(options.name ? { trigger: options.name } : {}), ...meta };
    let line: string;
    try {
      line = JSON.stringify({ ...entry, timestamp: new Date().toISOString() }, replacer);
    } catch (error) {
      // A circular field: keep the message rather than lose the line.
      line = JSON.stringify({ level, message, logError: String(error), timestamp: new Date().toISOString() });
    }
    stream.write(`${line}\n`);
  };
  return {
    error: (message, meta) => write("error", message, meta),
    warn: (message, meta) => write("warn", message, meta),
    info: (message, meta) => write("info", message, meta),
    debug: (message, meta) => write("debug", message, meta),
  };
}
