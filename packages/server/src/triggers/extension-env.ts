// The environment a v0.5 extension container starts with (spec §5.2): GOFER_EXTENSION_SYSTEM_* with a real API token
// as KEY (the bearer for both directions), the address of Gofer's API, and the operator's install variables exported
// bare and as GOFER_EXTENSION_CONFIG_<KEY> (what the v0.5 SDK's GetConfig reads). SSL_CERT_FILE names the API's
// certificate so an extension verifies it (Go honours SSL_CERT_FILE) instead of skipping verification.
import type { Variable } from "./registration.js";

export interface ExtensionEnvInput {
  name: string;
  token: string;
  certPem: string;
  keyPem: string;
  logLevel: string;
  /** host:port of Gofer's API as the container can reach it. */
  goferHost: string;
  /** Path (inside the container) of the API's certificate, or undefined when the API is plaintext. */
  apiCertPath: string | undefined;
  skipTlsVerify: boolean;
  variables: Variable[];
}

export function buildExtensionEnv(input: ExtensionEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    GOFER_EXTENSION_SYSTEM_TLS_CERT: input.certPem,
    GOFER_EXTENSION_SYSTEM_TLS_KEY: input.keyPem,
    GOFER_EXTENSION_SYSTEM_NAME: input.name,
    GOFER_EXTENSION_SYSTEM_LOG_LEVEL: input.logLevel,
    GOFER_EXTENSION_SYSTEM_KEY: input.token,
    GOFER_EXTENSION_SYSTEM_GOFER_HOST: input.goferHost,
    GOFER_EXTENSION_SYSTEM_SKIP_TLS_VERIFY: input.skipTlsVerify ? "true" : "false",
  };
  if (input.apiCertPath) env.SSL_CERT_FILE = input.apiCertPath;
  for (const variable of input.variables) {
    const key = variable.key.toUpperCase();
    env[key] = variable.value;
    if (!key.startsWith("GOFER_")) env[`GOFER_EXTENSION_CONFIG_${key}`] = variable.value;
  }
  return env;
}
