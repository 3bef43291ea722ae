// Where `gofer secret … put` and `gofer … store put` get the value: `KEY=VALUE` on the command line (as v0.4.1; a
// value starting with @ names a file, as v0.4.1), --file PATH, or standard input when it is not a terminal. The value
// is never echoed. From stdin one trailing newline is dropped, so `echo "$TOKEN" | gofer secret …` stores the token;
// empty stdin is refused (nothing was piped), and `KEY=` stores an empty value on purpose.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CliIo } from "../cli-io.js";
import { usageError } from "../exit-codes.js";

export interface StoreValueArgs {
  /** `KEY` or `KEY=VALUE`. */
  keyValue: string;
  file?: string | undefined;
}

async function readStdin(io: CliIo): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  const all = Buffer.concat(chunks);
  if (all.at(-1) === 0x0a) return all.subarray(0, all.at(-2) === 0x0d ? -2 : -1);
  return all;
}

/** @returns the key and the value's bytes. */
export async function readStoreValue(
  io: CliIo,
  args: StoreValueArgs,
  what: "secret" | "object",
): Promise<{ key: string; value: Buffer }> {
  const at = args.keyValue.indexOf("=");
  const key = at === -1 ? args.keyValue : args.keyValue.slice(0, at);
  if (key === "") throw usageError(`${JSON.stringify(args.keyValue)}: the ${what} key is empty`, "e.g. deploy_key");
  if (at !== -1) {
    if (args.file !== undefined) throw usageError("give the value once: KEY=VALUE or --file, not both");
    const text = args.keyValue.slice(at + 1);
    if (text.startsWith("@")) return { key, value: readFileSync(resolve(io.cwd, text.slice(1))) };
    return { key, value: Buffer.from(text, "utf8") };
  }
  if (args.file !== undefined) return { key, value: readFileSync(resolve(io.cwd, args.file)) };
  if (io.stdin.isTTY) {
    throw usageError(
      `no value for ${what} ${JSON.stringify(key)}`,
      `pipe it on standard input (e.g. \`printf %s "$VALUE" | gofer …\`), or pass --file PATH`,
    );
  }
  const value = await readStdin(io);
  if (value.length === 0) {
    // Most likely nothing was piped in; an empty value is still possible, written as KEY=.
    throw usageError(
      `no value for ${what} ${JSON.stringify(key)} on standard input`,
      `pipe it in (e.g. \`printf %s "$VALUE" | gofer …\`), pass --file PATH, or write ${key}= for an empty value`,
    );
  }
  return { key, value };
}
