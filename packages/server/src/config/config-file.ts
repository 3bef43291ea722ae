// Reads the TOML file and lists its settings as (key, spelling used, raw value). Unknown keys are problems; keys
// that only older Gofer versions understood are warnings (IGNORED_KEYS).

import { readFileSync } from "node:fs";
import { parse, TomlDate, TomlError } from "smol-toml";
import { closestName } from "./closest-name.js";
import {
  type ConfigKey,
  type ConfigKeyName,
  findConfigKey,
  IGNORED_KEYS,
  KNOWN_PATHS,
  TABLE_PATHS,
} from "./config-keys.js";
import { type ConfigOrigin, describeOrigin } from "./config-origin.js";
import { describeSetting } from "./config-value.js";

export interface FileSetting {
  readonly key: ConfigKey<ConfigKeyName>;
  /** The dotted path as written in the file, which may be an alias. */
  readonly written: string;
  readonly raw: unknown;
}

export interface ConfigFileContents {
  readonly settings: readonly FileSetting[];
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/** `chosenBy` says why this path was read, e.g. the flag or env var that named it. */
export function readConfigFile(path: string, chosenBy: ConfigOrigin): ConfigFileContents {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be read: ${error}`;
    return {
      settings: [],
      problems: [`config file ${path} (from ${describeOrigin(chosenBy)}) ${reason}`],
      warnings: [],
    };
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, path: string): ConfigFileContents {
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (error) {
    const detail =
      error instanceof TomlError
        ? `${error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "")} at line ${error.line}, column ${error.column}`
        : String(error);
    // v0.4 configs were HCL; say so instead of leaving the user with a bare TOML syntax error.
    const hint = path.endsWith(".hcl")
      ? "; this looks like a Gofer v0.4 HCL file, but the config is TOML: write `block { … }` as a [block] table"
      : "";
    return { settings: [], problems: [`config file ${path} is not valid TOML: ${detail}${hint}`], warnings: [] };
  }
  const origin: ConfigOrigin = { kind: "file", path };
  const settings: FileSetting[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];

  const visit = (table: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(table)) {
      const path = prefix === "" ? name : `${prefix}.${name}`;
      const key = findConfigKey(path);
      if (key !== undefined) {
        settings.push({ key, written: path, raw: value });
      } else if (path in IGNORED_KEYS) {
        warnings.push(`${path} (from ${describeOrigin(origin)}) has no effect: ${IGNORED_KEYS[path]}`);
      } else if (TABLE_PATHS.has(path)) {
        if (isTable(value)) visit(value, path);
        else problems.push(`${describeSetting(path, value, origin, false)}: expected a table [${path}]`);
      } else if (isTable(value)) {
        const suggestion = closestName(path, [...TABLE_PATHS]);
        const hint = suggestion === undefined ? "" : `; did you mean [${suggestion}]?`;
        problems.push(`unknown table [${path}] in ${describeOrigin(origin)}${hint}`);
      } else {
        const suggestion = closestName(path, KNOWN_PATHS);
        const hint = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
        problems.push(`unknown key "${path}" in ${describeOrigin(origin)}${hint}`);
      }
    }
  };
  visit(document, "");
  return { settings, problems, warnings };
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof TomlDate);
}
