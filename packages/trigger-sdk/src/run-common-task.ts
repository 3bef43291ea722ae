// The entry point of a common task's `./commontask` binary (spec §9.5), for common-task authors:
//   ./commontask task       runs the task once; its exit code is the task run's
//   ./commontask installer  prints the install instructions as one line of JSON on stdout and exits 0
// Anything else prints "Usage: ./commontask <task|installer>" on stderr and exits 1. A common task needs no server
// and no system env: its install config arrives as GOFER_PLUGIN_CONFIG_<KEY> (getConfig) and the pipeline's
// settings as GOFER_PLUGIN_PARAM_<KEY> (getParameter).
import { formatInstructions, type Instructions } from "./instructions.js";

const USAGE = "Usage: ./commontask <task|installer>";

export interface CommonTaskIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

export interface RunCommonTaskOptions {
  /** Default: process.argv.slice(2). */
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

/** @returns the exit code: the task's own (0 when it returns nothing), 1 when it throws or the mode is unknown. */
export async function runCommonTask(
  task: (io: CommonTaskIo) => Promise<number | undefined> | number | undefined,
  instructions: Instructions,
  options: RunCommonTaskOptions = {},
): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const stdout = options.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stderr = options.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [mode, ...rest] = argv;
  if (rest.length > 0 || (mode !== "task" && mode !== "installer")) {
    stderr(USAGE);
    return 1;
  }
  if (mode === "installer") {
    stdout(formatInstructions(instructions));
    return 0;
  }
  try {
    return (await task({ env: options.env ?? process.env, stdout, stderr })) ?? 0;
  } catch (error) {
    stderr(`common task failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
