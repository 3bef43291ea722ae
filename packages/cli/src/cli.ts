// The `gofer` command tree (spec §6) and its global flags. runCli() parses, runs one command and returns the exit
// code; it never exits the process, so tests can run it in-process too.
import { readFileSync } from "node:fs";
import yargs, { type Argv } from "yargs";
import { CONFIG_KEY_NAMES, envName, OUTPUT_FORMATS } from "./cli-config.js";
import type { CliIo } from "./cli-io.js";
import { commonTaskCommand } from "./commands/common-task.js";
import { eventCommand } from "./commands/event.js";
import { namespaceCommand } from "./commands/namespace.js";
import { pipelineCommand } from "./commands/pipeline.js";
import { runCommand } from "./commands/run.js";
import { secretCommand } from "./commands/secret.js";
import { serviceCommand } from "./commands/service.js";
import { taskRunCommand } from "./commands/taskrun.js";
import { triggerCommand } from "./commands/trigger.js";
import { ExitCode, usageError } from "./exit-codes.js";
import { describeGrpcExitCodes } from "./grpc-errors.js";
import { helpWidth, wrapHelp } from "./help-text.js";
import { type CommandContext, reportError } from "./session.js";

const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

const EPILOGUE = [
  `Settings: flags, then env (${CONFIG_KEY_NAMES.map(envName).join(", ")}), then ~/.gofer.toml or ~/.config/gofer.toml (a v0.4 ~/.gofer.hcl is read too).`,
  "Exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 cannot reach the server, 4 not found, 5 not authenticated or not allowed, 130 interrupted.",
  `The server's answers: ${describeGrpcExitCodes()}; any other status 1.`,
].join("\n");

/** yargs lays out help unwrapped (.wrap(null)): runCli wraps it at word boundaries (help-text.ts). */
export function buildCli(context: CommandContext, argv: readonly string[]): Argv {
  return yargs([...argv])
    .scriptName("gofer")
    .usage("$0 <command>\n\nGofer: run containers on a schedule or on events.")
    .option("config", { type: "string", describe: "CLI config file (TOML; for `service start`, the server's)" })
    .option("host", { type: "string", describe: "Gofer API host:port (default localhost:8080)" })
    .option("token", { type: "string", describe: "API token (a --dev server needs none)" })
    .option("namespace", { type: "string", describe: "Namespace to act in (default: the token's, else default)" })
    .option("format", { type: "string", choices: OUTPUT_FORMATS, describe: "Output: pretty (default), json or silent" })
    .option("detail", { type: "boolean", describe: "Show more: absolute times, variables, every field" })
    .option("color", { type: "boolean", describe: "Colour on a terminal (--no-color turns it off; so does NO_COLOR)" })
    .option("tls-ca", { type: "string", describe: "PEM file of the CA (or exact certificate) to trust for the server" })
    .option("insecure-plaintext", { type: "boolean", describe: "Talk to a server with use_tls = false" })
    .group(
      ["config", "host", "token", "namespace", "format", "detail", "color", "tls-ca", "insecure-plaintext"],
      "Global options:",
    )
    .command(triggerCommand(context))
    .command(commonTaskCommand(context))
    .command(secretCommand(context))
    .command(pipelineCommand(context))
    .command(runCommand(context))
    .command(taskRunCommand(context))
    .command(namespaceCommand(context))
    .command(eventCommand(context))
    .command(serviceCommand(context))
    .completion("completion", "Print a shell completion script (bash/zsh): gofer completion >> ~/.bashrc")
    .demandCommand(1, "Choose a command")
    .strict()
    .version(VERSION)
    .help()
    .alias("help", "h")
    .epilogue(EPILOGUE)
    .wrap(null)
    .showHelpOnFail(false)
    .fail(false);
}

const GROUPS = ["trigger", "pipeline", "run", "taskrun", "namespace", "event", "service"];

/** "gofer trigger --help" when the command line names a group, else "gofer --help". */
function helpCommand(argv: readonly string[]): string {
  const group = argv.find((arg) => !arg.startsWith("-"));
  const known = group !== undefined && GROUPS.some((g) => group === g || group === `${g}s`);
  return known ? `gofer ${group} --help` : "gofer --help";
}

/** Runs one command line; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const context: CommandContext = { io, exitCode: ExitCode.Ok };
  let shown = "";
  let isHelp = false;
  try {
    // With a callback, yargs hands over what it would print (help, version, a completion script) instead of
    // printing it and exiting the process.
    await buildCli(context, argv).parseAsync(argv, {}, (_error, parsed, output) => {
      shown = output;
      isHelp = Boolean((parsed as { help?: unknown } | undefined)?.help);
    });
  } catch (error) {
    // Only yargs's own validation lands here: command handlers report their errors through action().
    const message = error instanceof Error ? error.message : String(error);
    return reportError(usageError(message, `see "${helpCommand(argv)}"`), io, undefined);
  }
  if (shown !== "") io.stdout.write(`${isHelp ? wrapHelp(shown, helpWidth(io.stdout)) : shown}\n`);
  return context.exitCode;
}
