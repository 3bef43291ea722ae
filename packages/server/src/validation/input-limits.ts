// The limits on what a caller may store, and the checks every API entry point uses to enforce them. One place, so a
// pipeline config, StartRun's variables, an InstallTrigger call and a token's metadata are held to the same rules.
//
// Why limits at all: every stored value is sent back in later answers, and gRPC refuses a message over 4 MB
// (4,194,304 bytes) by default. Without them one user's 10 MB description made ListPipelines fail for every client of
// the namespace. Sizes are UTF-8 bytes, as they travel on the wire. README.md § Security lists these numbers.
import { InvalidArgumentError } from "../errors.js";

export const INPUT_LIMITS = Object.freeze({
  /** A pipeline config as encoded on the wire (PipelineConfig protobuf). */
  pipelineConfigBytes: 1024 * 1024,
  /** Descriptions of pipelines, tasks and namespaces. */
  descriptionBytes: 4 * 1024,
  /** Names: pipeline and namespace names, trigger and common-task names, registry users. */
  nameBytes: 256,
  /** Container image references. */
  imageBytes: 1024,
  /** Tasks (custom and common) in one pipeline. */
  tasksPerPipeline: 1000,
  /** Trigger subscriptions in one pipeline. */
  triggersPerPipeline: 100,
  /** Entries in any one map: a task's variables, StartRun's variables, settings, install variables, token metadata. */
  variablesPerMap: 256,
  /** Any one value: a variable, a setting, a metadata value, a registry password, one command argument. */
  valueBytes: 64 * 1024,
  /** Arguments of a task's command, and of its entrypoint. */
  argumentsPerCommand: 256,
  /** Namespace patterns on one token. */
  namespacesPerToken: 100,
});

/** POSIX environment variable names: what a task or trigger container can actually receive. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_RULE = "must match [A-Za-z_][A-Za-z0-9_]* (a POSIX environment variable name)";

export function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

/** A short, safe rendering of a value for a message: quoted, and cut after 40 characters. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** @throws InvalidArgumentError "<field> is N bytes; the limit is M bytes". */
export function checkBytes(field: string, value: string, limit: number): void {
  // A string of n UTF-16 units is at most 3n bytes, so most values need no encoding to pass.
  if (value.length * 3 <= limit) return;
  const size = byteLength(value);
  if (size > limit) throw new InvalidArgumentError(`${field} is ${size} bytes; the limit is ${limit} bytes`);
}

/** @throws InvalidArgumentError "<field> has N <what>; the limit is M". */
export function checkCount(field: string, count: number, limit: number, what: string): void {
  if (count > limit) throw new InvalidArgumentError(`${field} has ${count} ${what}; the limit is ${limit}`);
}

/** NUL cannot pass through exec or the environment; it only ever fails later, when the run is scheduled. */
export function checkNoNul(field: string, value: string): void {
  if (value.includes("\0")) throw new InvalidArgumentError(`${field} ${quoteValue(value)} contains a NUL character`);
}

/** For one-line values (images, names, ids): no control characters at all, newline and NUL included. */
export function checkOneLine(field: string, value: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidArgumentError(`${field} ${quoteValue(value)} contains a control character (newline, NUL, …)`);
  }
}

/** @throws InvalidArgumentError `<field>: "PATH=/evil:" is not a valid name: it must match [A-Za-z_][A-Za-z0-9_]*…`. */
export function checkEnvName(field: string, name: string): void {
  if (!ENV_NAME.test(name)) {
    throw new InvalidArgumentError(`${field}: ${quoteValue(name)} is not a valid name: it ${ENV_NAME_RULE}`);
  }
}

/** A map that becomes environment variables: names POSIX, values bounded and free of NUL, at most 256 entries. */
export function checkEnvMap(field: string, map: Readonly<Record<string, string>>): void {
  const entries = Object.entries(map);
  checkCount(field, entries.length, INPUT_LIMITS.variablesPerMap, "entries");
  for (const [name, value] of entries) {
    checkEnvName(field, name);
    checkBytes(`${field}: ${name}`, value, INPUT_LIMITS.valueBytes);
    checkNoNul(`${field}: ${name}`, value);
  }
}

/** A map that is not an environment (token metadata): keys are bounded one-line names, values bounded. */
export function checkTextMap(field: string, map: Readonly<Record<string, string>>): void {
  const entries = Object.entries(map);
  checkCount(field, entries.length, INPUT_LIMITS.variablesPerMap, "entries");
  for (const [key, value] of entries) {
    checkBytes(`${field}: key ${quoteValue(key)}`, key, INPUT_LIMITS.nameBytes);
    checkOneLine(`${field}: key`, key);
    checkBytes(`${field}: ${quoteValue(key)}`, value, INPUT_LIMITS.valueBytes);
    checkNoNul(`${field}: ${quoteValue(key)}`, value);
  }
}

/** A name shown in listings (pipeline, namespace, trigger, registry user): bounded and on one line. */
export function checkName(field: string, value: string): void {
  checkBytes(field, value, INPUT_LIMITS.nameBytes);
  checkOneLine(field, value);
}

export function checkDescription(field: string, value: string): void {
  checkBytes(field, value, INPUT_LIMITS.descriptionBytes);
  checkNoNul(field, value);
}

/** An image reference: bounded, on one line, and without spaces (no registry accepts one). */
export function checkImage(field: string, value: string): void {
  checkBytes(field, value, INPUT_LIMITS.imageBytes);
  checkOneLine(field, value);
  if (/\s/.test(value)) throw new InvalidArgumentError(`${field} ${quoteValue(value)} contains whitespace`);
}

/**
 * A command or entrypoint. Arguments may span lines (`sh -c` scripts are the common case), so only NUL, which exec
 * cannot pass, is refused; each argument is bounded like any value.
 */
export function checkArguments(field: string, args: readonly string[]): void {
  checkCount(field, args.length, INPUT_LIMITS.argumentsPerCommand, "arguments");
  args.forEach((arg, index) => {
    checkBytes(`${field}[${index}]`, arg, INPUT_LIMITS.valueBytes);
    checkNoNul(`${field}[${index}]`, arg);
  });
}

/**
 * A 64-bit id from the wire (run ids, event ids) as a number, or INVALID_ARGUMENT: ids above 2^53 - 1 cannot be held
 * exactly, and were answered rounded before (9223372036854775807 came back as 9223372036854776000).
 */
export function toSafeId(field: string, value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidArgumentError(
      `${field} ${value} is out of range: ids are whole numbers from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return Number(value);
}
