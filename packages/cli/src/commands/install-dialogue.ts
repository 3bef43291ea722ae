// The interactive part of `gofer trigger install` (spec §6, fixed per §7 #25): show the trigger's install
// instructions (§3.4), ask each query, confirm. Answers are whole lines (spaces allowed); an empty answer leaves the
// setting unset so the trigger's default applies; the confirmation defaults to yes.
import type { Instructions } from "@gofer/trigger-sdk";
import { CliError, ExitCode } from "../exit-codes.js";
import type { Palette } from "../output/palette.js";
import type { Spinner } from "../output/spinner.js";
import { type Prompter, terminalPrompter } from "../prompt.js";
import type { Session } from "../session.js";

export interface DialogueOutput {
  write(text: string): void;
}

export function titleCase(name: string): string {
  return name.replace(/(^|[\s_-])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
}

/** @returns the variables to install with. @throws CliError when the user declines. */
export async function runInstallDialogue(
  name: string,
  instructions: Instructions,
  prompter: Prompter,
  out: DialogueOutput,
  colors: Palette,
  kind: "trigger" | "common task" = "trigger",
): Promise<Record<string, string>> {
  const variables: Record<string, string> = {};
  out.write(`${colors.bold(`:: ${titleCase(name)} ${kind === "trigger" ? "Trigger" : "CommonTask"} Setup`)}\n\n`);
  for (const instruction of instructions.instructions) {
    if ("message" in instruction) {
      out.write(`${instruction.message.text}\n`);
      continue;
    }
    const answer = await prompter.ask(`${colors.cyan(">")} ${instruction.query.text}: `);
    if (answer !== "") variables[instruction.query.config_key] = answer;
  }
  const confirm = await prompter.ask(
    `${colors.cyan(">")} Install ${kind} ${JSON.stringify(titleCase(name))} with above settings? [Y/n]: `,
  );
  if (!/^(y|yes)?$/i.test(confirm)) {
    throw new CliError("installation aborted: nothing was installed", ExitCode.Failure);
  }
  return variables;
}

/**
 * Fetches an image's install instructions (its installer run by the server) and asks their questions at the terminal:
 * the interactive path of `trigger install` and `common-task install`.
 */
export async function askInstallQuestions(
  session: Session,
  spinner: Spinner,
  request: { name: string; image: string; kind: "trigger" | "common task" },
  fetchInstructions: () => Promise<{ instructions: string }>,
): Promise<Record<string, string>> {
  const { io, output } = session;
  const { instructions: text } = await spinner.during(
    `Fetching install instructions from ${request.image}`,
    fetchInstructions,
  );
  const { parseInstructions } = await import("@gofer/trigger-sdk");
  const prompter = terminalPrompter(io);
  try {
    return await runInstallDialogue(
      request.name,
      parseInstructions(text),
      prompter,
      { write: (t) => io.stderr.write(t) },
      output.errColors,
      request.kind,
    );
  } finally {
    prompter.close();
  }
}
