// Parses what `<trigger> installer` printed (spec §3.4): Gofer takes the last line of the output as the instructions
// JSON, so it must be one line, the last non-empty one, of exactly this shape:
//   {"instructions":[{"message":{"text":"..."}},{"query":{"text":"...","config_key":"..."}}]}

export type Instruction =
  | { readonly kind: "message"; readonly text: string }
  | { readonly kind: "query"; readonly text: string; readonly configKey: string };

export class InstallerOutputError extends Error {
  override name = "InstallerOutputError";
}

const SHOWN_CHARS = 200;

export function parseInstallerOutput(stdout: string): Instruction[] {
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== "");
  const last = lines.at(-1);
  if (last === undefined) throw new InstallerOutputError("stdout is empty; expected the instructions JSON on one line");
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch (error) {
    throw new InstallerOutputError(
      `the last non-empty line of stdout is not JSON (${error instanceof Error ? error.message : String(error)}); ` +
        `the JSON must be on one line with nothing after it. Line: ${show(last)}`,
    );
  }
  const root = expectObject(value, "the JSON", ["instructions"]);
  const list = root.instructions;
  if (!Array.isArray(list)) throw new InstallerOutputError(`"instructions": expected an array, got ${show(list)}`);
  return list.map((element: unknown, index) => parseInstruction(element, `instructions[${index}]`));
}

function parseInstruction(element: unknown, place: string): Instruction {
  const object = expectObject(element, place, ["message", "query"]);
  const keys = Object.keys(object);
  if (keys.length !== 1) {
    throw new InstallerOutputError(
      `${place}: expected exactly one key ("message" or "query"), got ${keys.length === 0 ? "none" : keys.map((k) => `"${k}"`).join(", ")}`,
    );
  }
  if ("message" in object) {
    const message = expectObject(object.message, `${place}.message`, ["text"]);
    return { kind: "message", text: expectString(message.text, `${place}.message.text`) };
  }
  const query = expectObject(object.query, `${place}.query`, ["text", "config_key"]);
  const configKey = expectString(query.config_key, `${place}.query.config_key`);
  if (configKey === "") throw new InstallerOutputError(`${place}.query.config_key: must not be empty`);
  return { kind: "query", text: expectString(query.text, `${place}.query.text`), configKey };
}

function expectObject(value: unknown, place: string, allowedKeys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InstallerOutputError(`${place}: expected an object, got ${show(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowedKeys.includes(key)) {
      throw new InstallerOutputError(
        `${place}: unexpected key "${key}"; allowed: ${allowedKeys.map((k) => `"${k}"`).join(", ")}`,
      );
    }
  }
  return value as Record<string, unknown>;
}

function expectString(value: unknown, place: string): string {
  if (typeof value !== "string") throw new InstallerOutputError(`${place}: expected a string, got ${show(value)}`);
  return value;
}

function show(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}
