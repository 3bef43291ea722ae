// The public API of @gofer/server: build and run a server, and load its configuration.
export type { Config } from "./config/config.js";
export { ConfigError } from "./config/config-error.js";
export { CONFIG_ENV_VARS, CONFIG_PATH_ENV } from "./config/env.js";
export { type LoadConfigOptions, loadConfig } from "./config/load-config.js";
export { SAMPLE_CONFIG } from "./config/sample-config.js";
export { createServerLogger, logColorAllowed } from "./logging.js";
export { createServer, type RunningServer, type ServerDeps, VERSION } from "./server.js";
export { localhostCertPaths } from "./tls/certificates.js";
