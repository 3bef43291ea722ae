// The environment a trigger container starts with (spec §2.2): the five GOFER_PLUGIN_SYSTEM_* variables, then the
// operator's install variables, upper-cased. Operator variables win on collision, as in the original. Each operator
// variable is exported both bare (what v0.4 servers sent) and as GOFER_PLUGIN_CONFIG_<KEY> (what the provided
// triggers and SDKs read, spec §7 #11), unless it already starts with GOFER_.
import type { Variable } from "./registration.js";

export interface TriggerEnvInput {
  name: string;
  key: string;
  certPem: string;
  keyPem: string;
  logLevel: string;
  variables: Variable[];
}

export function buildTriggerEnv(input: TriggerEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    GOFER_PLUGIN_SYSTEM_TLS_CERT: input.certPem,
    GOFER_PLUGIN_SYSTEM_TLS_KEY: input.keyPem,
    GOFER_PLUGIN_SYSTEM_NAME: input.name,
    GOFER_PLUGIN_SYSTEM_LOG_LEVEL: input.logLevel,
    GOFER_PLUGIN_SYSTEM_KEY: input.key,
  };
  for (const variable of input.variables) {
    const key = variable.key.toUpperCase();
    env[key] = variable.value;
    if (!key.startsWith("GOFER_")) env[`GOFER_PLUGIN_CONFIG_${key}`] = variable.value;
  }
  return env;
}

/** The env of installer mode: the system variables only, with the name "Installer", as the original. */
export function buildInstallerEnv(input: Omit<TriggerEnvInput, "name" | "variables">): Record<string, string> {
  return buildTriggerEnv({ ...input, name: "Installer", variables: [] });
}
