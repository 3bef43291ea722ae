// The debug common task (the original's containers/tasks/debug, spec §9.5): prints every environment variable it
// was given, so a pipeline author sees what a task gets. Unlike the original, which could only drop variables whose
// names contain "key" or "token", the filter (on unless install config `filter` is "false") keeps every name and
// redacts the values of the ones that look secret, so the output shows which secrets arrived without showing them.
import { type CommonTaskIo, getConfig, type Instructions, instructions } from "@gofer/trigger-sdk";

const SECRET_NAME = /key|token|secret|pass|credential/i;
export const REDACTED = "[redacted]";

export function debugInstructions(): Instructions {
  return instructions()
    .message(
      ":: The debug common task allows for the testing of common tasks. It simply prints all environment variables found in the current environment.",
    )
    .message("")
    .message(
      "The only setting for this common task is the ability to redact the values of environment variables whose names contain the words 'key', 'token', 'secret', 'pass' or 'credential'.",
    )
    .query("Turn on the filter? [true/false]", "filter")
    .build();
}

/** Go's strconv.ParseBool, as the original read its config. */
function parseBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  return undefined;
}

export function runDebugTask(io: CommonTaskIo): number {
  const setting = getConfig("filter", io.env);
  let filter = true;
  if (setting !== undefined) {
    const parsed = parseBool(setting);
    if (parsed === undefined) {
      io.stderr(
        `could not convert config "filter" to boolean; given string ${JSON.stringify(setting)} should be either 'true' or 'false'; filtering stays on`,
      );
    } else {
      filter = parsed;
    }
  }
  io.stdout("Printing out env vars");
  if (filter) io.stdout("Redacting the values of those whose names contain key, token, secret, pass or credential");
  for (const [name, value] of Object.entries(io.env)) {
    if (value === undefined) continue;
    io.stdout(`${name}=${filter && SECRET_NAME.test(name) ? REDACTED : value}`);
  }
  return 0;
}
