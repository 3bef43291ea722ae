// `gofer service …`: run the server and look after its configuration. Only the CLI touches process signals: the
// first SIGINT/SIGTERM stops the server gracefully; another one later exits at once.
import { writeFile } from "node:fs/promises";
import {
  CONFIG_ENV_VARS,
  ConfigError,
  createServer,
  createServerLogger,
  loadConfig,
  SAMPLE_CONFIG,
} from "@gofer/server";
import type { Argv } from "yargs";

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

async function start(args: { dev?: boolean; config?: string; set?: string[] }): Promise<void> {
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
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  const logger = createServerLogger({ level: config.logLevel, pretty: config.development.prettyLogging });
  for (const warning of warnings) logger.warn(warning);
  const server = await createServer(config, { logger });
  // The first SIGINT/SIGTERM stops gracefully. Repeats within 2 s are the same request arriving twice (a terminal's
  // Ctrl-C reaches both pnpm and this process, and pnpm forwards it); a later one exits at once.
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = performance.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      void server.stop(`received ${signal}`).then(() => process.exit(0));
      return;
    }
    if (now - firstSignalAt < 2_000) return;
    logger.warn(`${signal} again: exiting now`);
    process.exit(1);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

export function serviceCommand(yargs: Argv): Argv {
  return yargs
    .command(
      "start",
      "Start the Gofer server",
      (y) =>
        y
          .option("dev", {
            type: "boolean",
            describe:
              "Development mode: no auth, data under ./.gofer-dev, localhost TLS, process engine, a demo pipeline",
          })
          .option("set", {
            type: "string",
            array: true,
            describe: "Override a config key, e.g. --set server.host=localhost:9090 (repeatable)",
          }),
      (args) =>
        start({ dev: args.dev, config: args.config as string | undefined, set: args.set as string[] | undefined }),
    )
    .command(
      "init-config",
      "Write a commented sample configuration file",
      (y) =>
        y.option("file", {
          alias: "f",
          type: "string",
          default: "./example.gofer.toml",
          describe: "Where to write it",
        }),
      async (args) => {
        await writeFile(args.file, SAMPLE_CONFIG, { flag: "wx" }).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "EEXIST")
            throw new Error(`${args.file} already exists; remove it or choose another --file`);
          throw error;
        });
        process.stdout.write(`Wrote ${args.file}\n`);
      },
    )
    .command("printenv", "List the environment variables the server reads", {}, () => {
      const rows = CONFIG_ENV_VARS.map(
        (v) => `${v.name}${v.defaultValue !== undefined ? ` (default ${v.defaultValue})` : ""}\n    ${v.description}`,
      );
      process.stdout.write(`${rows.join("\n")}\n`);
    })
    .demandCommand(1, "Choose a service command: start, init-config or printenv");
}
