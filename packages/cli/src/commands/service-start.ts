// `gofer service start`: run the server in this process. Only the CLI touches process signals: the first
// SIGINT/SIGTERM stops the server gracefully, a second one within 5 s exits at once. @gofer/server is imported
// here, on demand, so client commands do not pay for loading it.

/** `--set key=value` pairs → flags keyed by dotted config key. */
export function parseSetFlags(values: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq <= 0)
      throw new Error(`--set ${JSON.stringify(value)}: expected key=value, e.g. --set server.host=localhost:9090`);
    flags[value.slice(0, eq).trim()] = value.slice(eq + 1);
  }
  return flags;
}

export interface StartArgs {
  dev?: boolean | undefined;
  /** The server's config file (the global --config means this here, as in v0.4.1). */
  config?: string | undefined;
  set?: string[] | undefined;
  /** false for --no-color; else the log is coloured on a terminal unless NO_COLOR is set. */
  color?: boolean | undefined;
}

/** @returns the exit code when the server could not start; undefined while it runs. */
export async function startServer(args: StartArgs): Promise<number | undefined> {
  const { ConfigError, createServer, createServerLogger, loadConfig } = await import("@gofer/server");
  let config: ReturnType<typeof loadConfig>;
  const warnings: string[] = [];
  try {
    config = loadConfig({
      ...(args.config ? { path: args.config } : {}),
      env: process.env,
      flags: { ...parseSetFlags(args.set ?? []), ...(args.dev ? { dev: true } : {}) },
      onWarning: (message) => warnings.push(message),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gofer: the configuration is not valid:\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createServerLogger({
    level: config.logLevel,
    pretty: config.development.prettyLogging,
    ...(args.color === false ? { color: false } : {}),
  });
  for (const warning of warnings) logger.warn(warning);
  const server = await createServer(config, { logger });
  let signals = 0;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    const now = performance.now();
    if (signals > 1 && now - firstSignalAt < 5_000) {
      logger.warn(`second ${signal}: exiting now`);
      process.exit(1);
    }
    firstSignalAt = now;
    void server.stop(`received ${signal}`).then(() => process.exit(0));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return undefined;
}
