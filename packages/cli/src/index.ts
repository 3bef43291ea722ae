// The public API of @gofer/cli: run the command line in-process (tests, embedding) and the service helpers.
export { buildCli, runCli } from "./cli.js";
export type { CliConfig, OutputFormat } from "./cli-config.js";
export type { CliIo } from "./cli-io.js";
export { parseSetFlags } from "./commands/service-start.js";
export { CliError, ExitCode } from "./exit-codes.js";
