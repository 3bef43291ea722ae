// Turns one raw value (TOML value, env string, flag value) into the typed value its key's kind asks for. Env values
// are always text, so text forms are accepted from env and flags ("true", "1", "300"); the file must use the TOML
// type, except that durations are either Go duration strings or integer seconds in every source (the seed reference
// writes `stop_timeout = 300`).

import { parseGoDuration } from "@gofer/kernel";
import type { ConfigKey } from "./config-keys.js";
import { type ConfigOrigin, describeOrigin } from "./config-origin.js";

export type ConfigValue = boolean | number | string | undefined | Readonly<Record<string, readonly string[]>>;

/** A parsed value with where it came from, kept so later checks can name the source. */
export interface ConfigSetting {
  readonly value: ConfigValue;
  readonly raw: unknown;
  /** The key as the source spelled it (an alias in the file, the canonical key otherwise). */
  readonly written: string;
  readonly origin: ConfigOrigin;
}

export type CoerceResult =
  | { readonly ok: true; readonly value: ConfigValue }
  | { readonly ok: false; readonly reason: string };

const NOT_A_DURATION = 'not a duration; use a Go duration like "5m" or integer seconds';

export function coerceConfigValue(key: ConfigKey, raw: unknown, origin: ConfigOrigin): CoerceResult {
  const fromText = typeof raw === "string" && origin.kind !== "file";
  const kind = key.kind;
  switch (kind.type) {
    case "boolean":
      if (typeof raw === "boolean") return ok(raw);
      if (fromText) {
        const text = raw.trim().toLowerCase();
        if (text === "true" || text === "1") return ok(true);
        if (text === "false" || text === "0") return ok(false);
        return fail("expected a boolean (true, false, 1 or 0)");
      }
      return fail("expected a boolean (true or false)");
    case "integer": {
      let value: number | undefined;
      if (typeof raw === "number" && Number.isInteger(raw)) value = raw;
      else if (fromText && /^[+-]?\d+$/.test(raw.trim())) value = Number(raw.trim());
      if (value === undefined || !Number.isSafeInteger(value)) return fail("expected an integer");
      if (value < kind.min) return fail(`must be at least ${kind.min}`);
      return ok(value);
    }
    case "duration":
      return coerceDuration(raw);
    case "string":
      if (typeof raw !== "string") return fail("expected a string");
      if (raw === "") return fail("must not be empty");
      return ok(raw);
    case "optional-string":
      if (typeof raw !== "string") return fail("expected a string");
      return ok(raw === "" ? undefined : raw);
    case "enum": {
      const match = typeof raw === "string" ? kind.values.find((v) => v === raw.trim().toLowerCase()) : undefined;
      if (match === undefined) return fail(`must be one of ${kind.values.join(", ")}`);
      return ok(match);
    }
    case "command-map":
      return coerceCommandMap(raw, fromText);
    default:
      return kind satisfies never;
  }
}

function coerceDuration(raw: unknown): CoerceResult {
  if (typeof raw === "number") {
    if (!Number.isSafeInteger(raw)) return fail(NOT_A_DURATION);
    if (raw < 0) return fail("must not be negative");
    return ok(raw * 1000);
  }
  if (typeof raw !== "string") return fail(NOT_A_DURATION);
  const text = raw.trim();
  if (/^\d+$/.test(text)) return ok(Number(text) * 1000);
  let nanos: bigint;
  try {
    nanos = parseGoDuration(text);
  } catch {
    return fail(NOT_A_DURATION);
  }
  if (nanos < 0n) return fail("must not be negative");
  return ok(Number(nanos) / 1e6);
}

function coerceCommandMap(raw: unknown, fromText: boolean): CoerceResult {
  let table = raw;
  if (fromText) {
    try {
      table = JSON.parse(raw as string);
    } catch {
      return fail('expected a JSON object of image → command, e.g. {"my/trigger:latest": "node main.js"}');
    }
  }
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    return fail("expected a table of image → command");
  }
  const commands: Record<string, readonly string[]> = {};
  for (const [image, command] of Object.entries(table)) {
    const argv =
      typeof command === "string"
        ? command.split(/\s+/).filter((part) => part !== "")
        : Array.isArray(command) && command.every((part) => typeof part === "string")
          ? [...command]
          : undefined;
    if (argv === undefined) return fail(`image "${image}": expected a command string or an array of strings`);
    if (argv.length === 0) return fail(`image "${image}": command is empty`);
    commands[image] = argv;
  }
  return ok(commands);
}

function ok(value: ConfigValue): CoerceResult {
  return { ok: true, value };
}

function fail(reason: string): CoerceResult {
  return { ok: false, reason };
}

/** `written = value (from origin)`; a secret's value is replaced by its length. */
export function describeSetting(written: string, raw: unknown, origin: ConfigOrigin, secret: boolean): string {
  return `${written} = ${renderRaw(raw, secret)} (from ${describeOrigin(origin)})`;
}

function renderRaw(raw: unknown, secret: boolean): string {
  if (secret) return typeof raw === "string" ? `<redacted, ${raw.length} characters>` : "<redacted>";
  return JSON.stringify(raw) ?? String(raw);
}
