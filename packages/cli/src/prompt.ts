// Questions on the terminal, for the interactive parts of v0.4.1 (trigger install's queries, trigger disable's
// confirmation). Questions go to stderr; answers are whole lines, spaces included. Without a terminal on stdin a
// command that would ask fails at once with what to pass instead (v0.4.1 waited forever).
import { createInterface, type Interface } from "node:readline";
import type { CliIo } from "./cli-io.js";
import { CliError, ExitCode, usageError } from "./exit-codes.js";

export interface Prompter {
  /** Asks and returns the answer line, trimmed. */
  ask(question: string): Promise<string>;
  close(): void;
}

/** @throws CliError (usage) when stdin is not a terminal, naming the flags that avoid the question. */
export function requireTerminal(io: CliIo, what: string, instead: string): void {
  if (io.stdin.isTTY !== true) throw usageError(`${what} needs answers from a terminal, and stdin is not one`, instead);
}

export function terminalPrompter(io: CliIo): Prompter {
  const rl: Interface = createInterface({
    input: io.stdin,
    output: io.stderr as NodeJS.WritableStream,
    terminal: true,
  });
  let interrupted: ((error: Error) => void) | undefined;
  // In raw mode Ctrl-C reaches readline, not the process.
  rl.on("SIGINT", () => {
    rl.close();
    interrupted?.(new CliError("interrupted", ExitCode.Interrupted));
  });
  return {
    ask: (question) =>
      new Promise((resolve, reject) => {
        interrupted = reject;
        rl.question(question, (answer) => resolve(answer.trim()));
      }),
    close: () => rl.close(),
  };
}
