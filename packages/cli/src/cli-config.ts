// The CLI's settings: defaults < config file < GOFER_CLI_* env < flags (spec §6, the original's order).
// The file is TOML at ~/.gofer.toml or $XDG_CONFIG_HOME/gofer.toml (default ~/.config/gofer.toml); a v0.4
// ~/.gofer.hcl or ~/.config/gofer.hcl is still read when no TOML file exists (see hcl-config-file.ts).
// `--config <file>` or GOFER_CLI_CONFIG names the file instead. Keys: host, token, namespace, format, detail,
// no_color (as v0.4) and tls_ca, insecure_plaintext (new). NO_COLOR (any value) turns colour off too.
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { closestName } from "@gofer/kernel/closest-name";
import { parse as parseToml } from "smol-toml";
import { CliError, ExitCode } from "./exit-codes.js";
import { HclSubsetError, parseHclSubset } from "./hcl-config-file.js";

export type OutputFormat = "pretty" | "json" | "silent";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["pretty", "json", "silent"];

export interface CliConfig {
  /** host:port of the Gofer API; a host without port means 443. */
  readonly host: string;
  /** Bearer token sent on every call; "" sends none (enough for a --dev server). */
  readonly token: string;
  /** Namespace to act in; "" lets the server choose (the token's namespace, else "default"). */
  readonly namespace: string;
  readonly format: OutputFormat;
  /** Show more: absolute times, every column, variables. */
  readonly detail: boolean;
  readonly noColor: boolean;
  /** PEM file of the CA (or the exact certificate) the server's certificate must chain to. */
  readonly tlsCa: string | undefined;
  /** Talk plaintext gRPC, for servers with `use_tls = false`. */
  readonly insecurePlaintext: boolean;
  /** The config file that was read, if any. */
  readonly filePath: string | undefined;
}

/** Global flags as yargs parsed them; undefined = not given. */
export interface CliConfigFlags {
  readonly config?: string | undefined;
  readonly host?: string | undefined;
  readonly token?: string | undefined;
  readonly namespace?: string | undefined;
  readonly format?: string | undefined;
  readonly detail?: boolean | undefined;
  /** false for --no-color. */
  readonly color?: boolean | undefined;
  readonly tlsCa?: string | undefined;
  readonly insecurePlaintext?: boolean | undefined;
}

export interface CliConfigSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly cwd: string;
}

export const DEFAULT_HOST = "localhost:8080";
export const CONFIG_PATH_ENV = "GOFER_CLI_CONFIG";

type KeyType = "string" | "boolean";
type Key = "host" | "token" | "namespace" | "format" | "detail" | "no_color" | "tls_ca" | "insecure_plaintext";

const KEYS: Readonly<Record<Key, KeyType>> = {
  host: "string",
  token: "string",
  namespace: "string",
  format: "string",
  detail: "boolean",
  no_color: "boolean",
  tls_ca: "string",
  insecure_plaintext: "boolean",
};

export const CONFIG_KEY_NAMES = Object.keys(KEYS) as readonly Key[];

/** GOFER_CLI_<KEY> for each key, e.g. GOFER_CLI_NO_COLOR. */
export function envName(key: string): string {
  return `GOFER_CLI_${key.toUpperCase()}`;
}

type Values = Partial<Record<Key, string | boolean>>;

function configError(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}

export function loadCliConfig(flags: CliConfigFlags, sources: CliConfigSources): CliConfig {
  const filePath = findConfigFile(flags, sources);
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const fromEnv = readEnv(sources.env);
  const fromFlags: Values = {};
  if (flags.host !== undefined) fromFlags.host = flags.host;
  if (flags.token !== undefined) fromFlags.token = flags.token;
  if (flags.namespace !== undefined) fromFlags.namespace = flags.namespace;
  if (flags.format !== undefined) fromFlags.format = flags.format;
  if (flags.detail !== undefined) fromFlags.detail = flags.detail;
  if (flags.color !== undefined) fromFlags.no_color = !flags.color;
  if (flags.tlsCa !== undefined) fromFlags.tls_ca = resolve(sources.cwd, flags.tlsCa);
  if (flags.insecurePlaintext !== undefined) fromFlags.insecure_plaintext = flags.insecurePlaintext;
  const noColorEnv = sources.env.NO_COLOR !== undefined && sources.env.NO_COLOR !== "";
  const merged: Values = { ...(noColorEnv ? { no_color: true } : {}), ...fromFile, ...fromEnv, ...fromFlags };

  const format = (merged.format as string | undefined) ?? "pretty";
  if (!OUTPUT_FORMATS.includes(format as OutputFormat)) {
    throw configError(`format ${JSON.stringify(format)} is not one of pretty, json, silent`);
  }
  const host = ((merged.host as string | undefined) ?? DEFAULT_HOST).trim();
  if (host === "") throw configError("host is empty; give host:port, e.g. --host localhost:8080");
  return Object.freeze({
    host,
    token: (merged.token as string | undefined) ?? "",
    namespace: (merged.namespace as string | undefined) ?? "",
    format: format as OutputFormat,
    detail: (merged.detail as boolean | undefined) ?? false,
    noColor: (merged.no_color as boolean | undefined) ?? false,
    tlsCa: (merged.tls_ca as string | undefined) || undefined,
    insecurePlaintext: (merged.insecure_plaintext as boolean | undefined) ?? false,
    filePath,
  });
}

/** The file to read: --config, else GOFER_CLI_CONFIG (both must exist), else the first default that exists. */
export function findConfigFile(flags: CliConfigFlags, sources: CliConfigSources): string | undefined {
  const named = flags.config ?? sources.env[CONFIG_PATH_ENV];
  if (named) {
    const path = resolve(sources.cwd, named);
    if (!existsSync(path)) {
      const from = flags.config ? "--config" : CONFIG_PATH_ENV;
      throw configError(`${from}: config file ${JSON.stringify(path)} does not exist`);
    }
    return path;
  }
  const xdg = sources.env.XDG_CONFIG_HOME || join(sources.homeDir, ".config");
  const candidates = [
    join(sources.homeDir, ".gofer.toml"),
    join(xdg, "gofer.toml"),
    join(sources.homeDir, ".gofer.hcl"),
    join(sources.homeDir, ".config", "gofer.hcl"),
  ];
  return candidates.find((path) => existsSync(path));
}

export function readConfigFile(path: string): Values {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw configError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = extname(path) === ".hcl" ? parseHclSubset(text, path) : parseToml(text);
  } catch (error) {
    if (error instanceof HclSubsetError) throw configError(error.message);
    throw configError(`config file ${path} is not valid TOML: ${(error as Error).message}`);
  }
  const values: Values = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(KEYS, key)) throw configError(`${path}: unknown key "${key}"${suggest(key)}`);
    const type = KEYS[key as Key];
    if (typeof value !== type) {
      throw configError(`${path}: ${key} must be a ${type}, got ${JSON.stringify(value)}`);
    }
    values[key as Key] =
      key === "tls_ca" && !isAbsolute(value as string) ? resolve(dirname(path), value as string) : (value as string);
  }
  return values;
}

function readEnv(env: Readonly<Record<string, string | undefined>>): Values {
  const values: Values = {};
  for (const key of CONFIG_KEY_NAMES) {
    const name = envName(key);
    const text = env[name];
    if (text === undefined || text === "") continue;
    if (KEYS[key] === "string") {
      values[key] = text;
      continue;
    }
    const lower = text.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(lower)) values[key] = true;
    else if (["0", "false", "no", "off"].includes(lower)) values[key] = false;
    else throw configError(`${name}=${JSON.stringify(text)}: expected true or false`);
  }
  return values;
}

function suggest(key: string): string {
  const near = closestName(key, CONFIG_KEY_NAMES);
  const known = `known keys: ${CONFIG_KEY_NAMES.join(", ")}`;
  return near ? `; did you mean "${near}"? (${known})` : ` (${known})`;
}
