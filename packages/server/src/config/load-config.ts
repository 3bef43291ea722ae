// defaults < dev-mode defaults (only in dev mode) < TOML file < GOFER_* env < flags → one validated, frozen Config.
// The environment is passed in (no process.env here), so loading is a pure function of its inputs and the file.
//
// Departure from v0.4 (spec §2.11): there GOFER_CONFIG_PATH overrode `--config`; here the flag wins, like every
// other flag. The file is TOML rather than HCL.

import { existsSync } from "node:fs";
import { buildConfig } from "./build-config.js";
import { checkConfig } from "./check-config.js";
import { closestName } from "./closest-name.js";
import type { Config } from "./config.js";
import { ConfigError } from "./config-error.js";
import { readConfigFile } from "./config-file.js";
import { CONFIG_KEYS, type ConfigKey, type ConfigKeyName, findConfigKey, KNOWN_PATHS } from "./config-keys.js";
import type { ConfigOrigin } from "./config-origin.js";
import { type ConfigSetting, coerceConfigValue, describeSetting } from "./config-value.js";
import { DEFAULT_CONFIG_PATH, DEFAULTS, DEV_MODE_DEFAULTS, type RawConfigValue } from "./defaults.js";
import { CONFIG_PATH_ENV } from "./env.js";

export interface LoadConfigOptions {
  /** The `--config` flag. Wins over GOFER_CONFIG_PATH; without either, /etc/gofer/gofer.toml is read if present. */
  readonly path?: string;
  /** The process environment or a test's stand-in; only GOFER_* names are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Flag values keyed by dotted config key as in the file ("server.host", "triggers.stop_timeout"); `dev` is short
   * for `dev_mode`. Undefined values count as not given. Strings are parsed like env values.
   */
  readonly flags?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Notices that do not stop the server: keys with no effect, unknown GOFER_* env names. */
  readonly onWarning?: (message: string) => void;
}

type Layer = Map<ConfigKeyName, ConfigSetting>;

/** Env names that belong to other programs sharing the GOFER_ prefix (CLI, trigger and extension containers). */
const FOREIGN_ENV_PREFIXES = ["GOFER_CLI_", "GOFER_PLUGIN_", "GOFER_EXTENSION_"];

/** @throws ConfigError listing every problem found. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {};
  const warn = options.onWarning ?? (() => {});
  const problems: string[] = [];

  const filePath = chooseFilePath(options.path, env);
  const fileLayer: Layer = new Map();
  if (filePath !== undefined) {
    const contents = readConfigFile(filePath.path, filePath.chosenBy);
    problems.push(...contents.problems);
    contents.warnings.forEach(warn);
    for (const { key, written, raw } of contents.settings) {
      addSetting(fileLayer, key, written, raw, { kind: "file", path: filePath.path }, problems);
    }
  }
  const envLayer = readEnvLayer(env, problems, warn);
  const flagLayer = readFlagLayer(options.flags ?? {}, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const chosenLayers = [flagLayer, envLayer, fileLayer];
  const devMode = chosenLayers.find((layer) => layer.has("dev_mode"))?.get("dev_mode")?.value === true;
  const layers = [
    ...chosenLayers,
    ...(devMode ? [defaultsLayer(DEV_MODE_DEFAULTS, { kind: "dev-mode defaults" })] : []),
    defaultsLayer(DEFAULTS, { kind: "defaults" }),
  ];
  const settings = new Map<ConfigKeyName, ConfigSetting>();
  for (const { key } of CONFIG_KEYS) {
    const setting = layers.find((layer) => layer.has(key))?.get(key);
    if (setting !== undefined) settings.set(key, setting);
  }

  const config = buildConfig(settings, filePath?.path);
  problems.push(...checkConfig(config, settings));
  if (problems.length > 0) throw new ConfigError(problems);
  return freezeDeep(config);
}

function chooseFilePath(
  flagPath: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { path: string; chosenBy: ConfigOrigin } | undefined {
  if (flagPath !== undefined && flagPath !== "") return { path: flagPath, chosenBy: { kind: "flag", name: "config" } };
  const envPath = env[CONFIG_PATH_ENV];
  if (envPath !== undefined && envPath !== "") {
    return { path: envPath, chosenBy: { kind: "env", name: CONFIG_PATH_ENV } };
  }
  if (existsSync(DEFAULT_CONFIG_PATH)) return { path: DEFAULT_CONFIG_PATH, chosenBy: { kind: "defaults" } };
  return undefined;
}

function readEnvLayer(
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
  warn: (message: string) => void,
): Layer {
  const layer: Layer = new Map();
  const known = new Set<string>([CONFIG_PATH_ENV]);
  for (const key of CONFIG_KEYS) {
    for (const name of key.envNames) {
      known.add(name);
      const raw = env[name];
      // Empty counts as unset: compose files and shells often export blank variables.
      if (raw === undefined || raw === "") continue;
      addSetting(layer, key, key.key, raw, { kind: "env", name }, problems);
    }
  }
  for (const name of Object.keys(env)) {
    if (!name.startsWith("GOFER_") || known.has(name)) continue;
    if (FOREIGN_ENV_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const suggestion = closestName(name, [...known]);
    warn(`env ${name} is not a Gofer server setting${suggestion === undefined ? "" : `; did you mean ${suggestion}?`}`);
  }
  return layer;
}

function readFlagLayer(flags: Readonly<Record<string, string | number | boolean | undefined>>, problems: string[]) {
  const layer: Layer = new Map();
  for (const [name, raw] of Object.entries(flags)) {
    if (raw === undefined) continue;
    const key = findConfigKey(name === "dev" ? "dev_mode" : name);
    if (key === undefined) {
      const suggestion = closestName(name, KNOWN_PATHS);
      problems.push(`unknown flag --${name}${suggestion === undefined ? "" : `; did you mean --${suggestion}?`}`);
      continue;
    }
    addSetting(layer, key, key.key, raw, { kind: "flag", name }, problems);
  }
  return layer;
}

/** Adds one value to a layer; two spellings of one key in the same source must agree. */
function addSetting(
  layer: Layer,
  key: ConfigKey<ConfigKeyName>,
  written: string,
  raw: unknown,
  origin: ConfigOrigin,
  problems: string[],
): void {
  const result = coerceConfigValue(key, raw, origin);
  if (!result.ok) {
    problems.push(`${describeSetting(written, raw, origin, key.secret)}: ${result.reason}`);
    return;
  }
  const earlier = layer.get(key.key);
  if (earlier !== undefined && JSON.stringify(earlier.value) !== JSON.stringify(result.value)) {
    problems.push(
      `${describeSetting(written, raw, origin, key.secret)} conflicts with ` +
        `${describeSetting(earlier.written, earlier.raw, earlier.origin, key.secret)}: both set ${key.key}; keep one`,
    );
    return;
  }
  layer.set(key.key, { value: result.value, raw, written, origin });
}

function defaultsLayer(values: { readonly [K in ConfigKeyName]?: RawConfigValue }, origin: ConfigOrigin): Layer {
  const layer: Layer = new Map();
  for (const key of CONFIG_KEYS) {
    const raw = values[key.key];
    if (raw === undefined) continue;
    const result = coerceConfigValue(key, raw, origin);
    if (!result.ok) throw new Error(`built-in default ${key.key} = ${JSON.stringify(raw)}: ${result.reason}`);
    layer.set(key.key, { value: result.value, raw, written: key.key, origin });
  }
  return layer;
}

function freezeDeep<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeDeep(child);
    Object.freeze(value);
  }
  return value;
}
