// `gofer service …`: run the server (start), look after its configuration (init-config, printenv), and manage it
// through the API (info, toggle-event-ingress, tokens). @gofer/server is loaded only by the commands that need it.
import { writeFile } from "node:fs/promises";
import type { Argv, CommandModule } from "yargs";
import { usageError } from "../exit-codes.js";
import { action, type CommandContext, type GlobalArgs } from "../session.js";
import { type StartArgs, startServer } from "./service-start.js";
import { tokensCommand } from "./tokens.js";

export function serviceCommand(context: CommandContext): CommandModule {
  return {
    command: ["service", "services"],
    describe: "Run and manage the Gofer server",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "start",
          describe: "Start the Gofer server (--config names the server's TOML file here)",
          builder: (y: Argv) =>
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
          handler: async (parsed: object) => {
            const args = parsed as StartArgs;
            const code = await startServer({ dev: args.dev, config: args.config, set: args.set, color: args.color });
            if (code !== undefined) context.exitCode = code;
          },
        })
        .command({
          command: "init-config",
          describe: "Write a commented sample configuration file",
          builder: (y: Argv) =>
            y.option("file", {
              alias: "f",
              type: "string",
              default: "./example.gofer.toml",
              describe: "Where to write it",
            }),
          handler: action<GlobalArgs & { file: string }>(context, async (session, args) => {
            const { SAMPLE_CONFIG } = await import("@gofer/server");
            await writeFile(args.file, SAMPLE_CONFIG, { flag: "wx" }).catch((error: NodeJS.ErrnoException) => {
              if (error.code === "EEXIST")
                throw usageError(`${args.file} already exists`, "remove it or choose another --file");
              throw error;
            });
            session.output.result({ file: args.file }, () => session.output.success(`Wrote ${args.file}`));
          }),
        })
        .command({
          command: "printenv",
          describe: "List the environment variables the server reads",
          handler: action(context, async (session) => {
            const { CONFIG_ENV_VARS } = await import("@gofer/server");
            session.output.result(
              CONFIG_ENV_VARS.map((v) => ({
                name: v.name,
                aliases: [...v.aliases],
                key: v.key ?? null,
                description: v.description,
                default: v.defaultValue ?? null,
              })),
              () =>
                CONFIG_ENV_VARS.map(
                  (v) =>
                    `${session.output.colors.bold(v.name)}${v.defaultValue !== undefined ? ` (default ${v.defaultValue})` : ""}\n    ${v.description}`,
                ).join("\n"),
            );
          }),
        })
        .command({
          command: "info",
          describe: "Show the server's version, mode and how many runs wait for a slot",
          handler: action<GlobalArgs>(context, async (session) => {
            const { api } = await session.connect();
            const info = await api.getSystemInfo({});
            const queued = Number(info.queuedRuns);
            session.output.result(
              { semver: info.semver, commit: info.commit, dev_mode_enabled: info.devModeEnabled, queued_runs: queued },
              () =>
                [
                  `Gofer ${info.semver} (commit ${info.commit})${info.devModeEnabled ? " in development mode" : ""}`,
                  `  Runs waiting for a slot: ${queued}`,
                ].join("\n"),
            );
          }),
        })
        .command({
          command: "toggle-event-ingress",
          describe: "Turn on or off whether trigger events start runs (for maintenance)",
          handler: action<GlobalArgs>(context, async (session) => {
            const { api } = await session.connect();
            // The answer is the new value of the server's *ignore* flag (true: events are now ignored), as in
            // v0.4.1; our server answers the same way, so this reads right against either.
            const { value: ignoring } = await api.toggleEventIngress({});
            session.output.result({ event_ingress: !ignoring }, () =>
              session.output.success(
                `Event ingress is now ${ignoring ? "off: trigger events are ignored" : "on: trigger events start runs"}`,
              ),
            );
          }),
        })
        .command(tokensCommand(context))
        .demandCommand(
          1,
          "Choose a service command: start, init-config, printenv, info, toggle-event-ingress or tokens",
        ),
    handler: () => {},
  };
}
