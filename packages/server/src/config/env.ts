// GOFER_* env names the server reads (spec §2.11: prefix GOFER_, nested blocks add the block name), listed for
// `gofer service printenv`. Names come from config-keys.ts; this module only presents them.

import { CONFIG_KEYS } from "./config-keys.js";
import { DEFAULTS } from "./defaults.js";

/** Names the config file; `--config` wins over it. */
export const CONFIG_PATH_ENV = "GOFER_CONFIG_PATH";

export interface ConfigEnvVar {
  readonly name: string;
  /** Other names read for the same setting (v0.4 / v0.5 spellings). */
  readonly aliases: readonly string[];
  /** The TOML key it overrides; undefined for GOFER_CONFIG_PATH. */
  readonly key: string | undefined;
  readonly description: string;
  /** The default as it would be written in env; undefined when unset by default. */
  readonly defaultValue: string | undefined;
}

export const CONFIG_ENV_VARS: readonly ConfigEnvVar[] = [
  {
    name: CONFIG_PATH_ENV,
    aliases: [],
    key: undefined,
    description: "Path of the TOML config file (default /etc/gofer/gofer.toml when it exists).",
    defaultValue: undefined,
  },
  ...CONFIG_KEYS.map((key) => {
    const [name = "", ...aliases] = key.envNames;
    const value = DEFAULTS[key.key];
    return {
      name,
      aliases,
      key: key.key,
      description: key.description,
      defaultValue: value === undefined ? undefined : typeof value === "object" ? JSON.stringify(value) : String(value),
    };
  }),
];
