import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config/config-error.js";
import { loadConfig } from "../src/config/load-config.js";
import { PRODUCTION_ENV, useConfigDir } from "./config-fixtures.js";

const configDir = useConfigDir();
const writeConfig = (text: string, name?: string) => configDir.write(text, name);

/** The ConfigError's problems; fails the test when loading succeeds. */
function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}

describe("config error messages", () => {
  it("name the key, value and file of a bad duration", () => {
    const path = writeConfig('[triggers]\nstop_timeout = "5 minutes"\n');
    expect(problemsOf(() => loadConfig({ path, env: PRODUCTION_ENV }))).toEqual([
      `triggers.stop_timeout = "5 minutes" (from file ${path}): not a duration; use a Go duration like "5m" or integer seconds`,
    ]);
  });

  it("name the env variable of a bad duration", () => {
    expect(() => loadConfig({ env: { ...PRODUCTION_ENV, GOFER_TRIGGERS_STOP_TIMEOUT: "5 minutes" } })).toThrow(
      'triggers.stop_timeout = "5 minutes" (from env GOFER_TRIGGERS_STOP_TIMEOUT): not a duration; use a Go duration like "5m" or integer seconds',
    );
  });

  it("refuse negative durations", () => {
    expect(problemsOf(() => loadConfig({ env: { ...PRODUCTION_ENV, GOFER_SERVER_SHUTDOWN_TIMEOUT: "-5s" } }))).toEqual([
      'server.shutdown_timeout = "-5s" (from env GOFER_SERVER_SHUTDOWN_TIMEOUT): must not be negative',
    ]);
  });

  it("name an unknown key with the key it probably meant", () => {
    const path = writeConfig('[server]\nhots = "0.0.0.0:8080"\n');
    expect(problemsOf(() => loadConfig({ path, env: PRODUCTION_ENV }))).toEqual([
      `unknown key "server.hots" in file ${path}; did you mean "server.host"?`,
    ]);
  });

  it("suggest the right block for a key put in the wrong one", () => {
    const path = writeConfig("[server]\nstop_timeout = 300\n");
    expect(problemsOf(() => loadConfig({ path, env: PRODUCTION_ENV }))).toEqual([
      `unknown key "server.stop_timeout" in file ${path}; did you mean "triggers.stop_timeout"?`,
    ]);
  });

  it("name an unknown table", () => {
    const path = writeConfig('[servre]\nhost = "x"\n');
    expect(problemsOf(() => loadConfig({ path, env: PRODUCTION_ENV }))).toEqual([
      `unknown table [servre] in file ${path}; did you mean [server]?`,
    ]);
  });

  it("name the key, value, expected type and source of a wrong type", () => {
    const path = writeConfig('run_parallelism_limit = "lots"\n[scheduler.docker]\nprune = "yes"\n');
    expect(problemsOf(() => loadConfig({ path, env: { ...PRODUCTION_ENV, GOFER_SERVER_USE_TLS: "maybe" } }))).toEqual([
      `run_parallelism_limit = "lots" (from file ${path}): expected an integer`,
      `scheduler.docker.prune = "yes" (from file ${path}): expected a boolean (true or false)`,
      'server.use_tls = "maybe" (from env GOFER_SERVER_USE_TLS): expected a boolean (true, false, 1 or 0)',
    ]);
  });

  it("refuse a non-integer and an out-of-range integer", () => {
    expect(
      problemsOf(() =>
        loadConfig({
          env: { ...PRODUCTION_ENV, GOFER_RUN_PARALLELISM_LIMIT: "2.5", GOFER_SERVER_STORAGE_RESULTS_LIMIT: "0" },
        }),
      ),
    ).toEqual([
      'run_parallelism_limit = "2.5" (from env GOFER_RUN_PARALLELISM_LIMIT): expected an integer',
      'server.storage_results_limit = "0" (from env GOFER_SERVER_STORAGE_RESULTS_LIMIT): must be at least 1',
    ]);
  });

  it("list the allowed values of an enum", () => {
    expect(problemsOf(() => loadConfig({ flags: { "scheduler.engine": "kubernetes", dev: true } }))).toEqual([
      'scheduler.engine = "kubernetes" (from flag --scheduler.engine): must be one of docker, process',
    ]);
  });

  it("refuse a secret key that is not 32 characters, without printing it", () => {
    const path = writeConfig('[secret_store.sqlite]\nencryption_key = "hunter2"\n');
    expect(problemsOf(() => loadConfig({ path, flags: { dev: true } }))).toEqual([
      `secret_store.sqlite.encryption_key = <redacted, 7 characters> (from file ${path}): must be exactly 32 characters long (got 7)`,
    ]);
  });

  it("refuse the default secret key outside dev mode", () => {
    const env = { GOFER_SERVER_TLS_CERT_PATH: "/c.pem", GOFER_SERVER_TLS_KEY_PATH: "/k.pem" };
    expect(problemsOf(() => loadConfig({ env }))).toEqual([
      "secret_store.sqlite.encryption_key (from defaults) is the well-known default key; set a unique 32-character key, or turn on dev mode or development.default_encryption",
    ]);
    expect(
      loadConfig({ env: { ...env, GOFER_DEVELOPMENT_DEFAULT_ENCRYPTION: "true" } }).secretStore.sqlite.encryptionKey,
    ).toBe("changemechangemechangemechangeme");
  });

  it("require the API's certificate when it serves TLS outside dev mode", () => {
    const env = { GOFER_SECRET_STORE_SQLITE_ENCRYPTION_KEY: PRODUCTION_ENV.GOFER_SECRET_STORE_SQLITE_ENCRYPTION_KEY };
    expect(problemsOf(() => loadConfig({ env }))).toEqual([
      "server.use_tls = true (from defaults) but server.tls_cert_path and server.tls_key_path are not set; set both, set server.use_tls = false, or turn on dev mode or development.use_localhost_tls",
    ]);
    expect(loadConfig({ env: { ...env, GOFER_SERVER_USE_TLS: "false" } }).server.useTls).toBe(false);
  });

  it("require a certificate and its key together", () => {
    const path = writeConfig('[triggers]\ntls_cert_path = "/etc/gofer/t.crt"\n');
    expect(problemsOf(() => loadConfig({ path, env: PRODUCTION_ENV }))).toEqual([
      `triggers.tls_cert_path = "/etc/gofer/t.crt" (from file ${path}) but triggers.tls_key_path is not set; set both or neither`,
    ]);
  });

  it("refuse [triggers] and [extensions] that disagree", () => {
    const path = writeConfig('[triggers]\nstop_timeout = "5m"\n[extensions]\nstop_timeout = 60\n');
    expect(problemsOf(() => loadConfig({ path, env: PRODUCTION_ENV }))).toEqual([
      `extensions.stop_timeout = 60 (from file ${path}) conflicts with triggers.stop_timeout = "5m" (from file ${path}): both set triggers.stop_timeout; keep one`,
    ]);
  });

  it("refuse two env spellings of one setting that disagree", () => {
    const env = { ...PRODUCTION_ENV, GOFER_TASK_EXECUTION_LOGS_DIR: "/a", GOFER_TASK_RUN_LOGS_DIR: "/b" };
    expect(problemsOf(() => loadConfig({ env }))).toEqual([
      'task_execution_logs_dir = "/b" (from env GOFER_TASK_RUN_LOGS_DIR) conflicts with task_execution_logs_dir = "/a" (from env GOFER_TASK_EXECUTION_LOGS_DIR): both set task_execution_logs_dir; keep one',
    ]);
  });

  it("report every problem at once", () => {
    const path = writeConfig('log_level = "loud"\n[server]\nshutdown_timeout = "soon"\n');
    expect(() => loadConfig({ path, env: PRODUCTION_ENV })).toThrow(
      [
        "2 configuration problems:",
        `log_level = "loud" (from file ${path}): must be one of debug, info, warn, error`,
        `server.shutdown_timeout = "soon" (from file ${path}): not a duration; use a Go duration like "5m" or integer seconds`,
      ].join("\n"),
    );
  });

  it("say which setting named a missing file", () => {
    const missing = join(configDir.dir, "nope.toml");
    expect(problemsOf(() => loadConfig({ env: { GOFER_CONFIG_PATH: missing } }))).toEqual([
      `config file ${missing} (from env GOFER_CONFIG_PATH) does not exist`,
    ]);
  });

  it("point at the line of a TOML syntax error and recognise a v0.4 HCL file", () => {
    const path = writeConfig('server {\n  host = "localhost:8080"\n}\n', "gofer.hcl");
    expect(problemsOf(() => loadConfig({ path }))).toEqual([
      `config file ${path} is not valid TOML: illegal character in key at line 1, column 8; this looks like a Gofer v0.4 HCL file, but the config is TOML: write \`block { … }\` as a [block] table`,
    ]);
  });

  it("name an unknown flag", () => {
    expect(problemsOf(() => loadConfig({ flags: { "server.hots": "x" } }))).toEqual([
      "unknown flag --server.hots; did you mean --server.host?",
    ]);
  });

  it("name a bad image map entry", () => {
    const path = writeConfig('[triggers.image_map]\n"a:1" = 5\n"b:1" = ""\n');
    expect(problemsOf(() => loadConfig({ path, env: PRODUCTION_ENV }))).toEqual([
      `triggers.image_map = {"a:1":5,"b:1":""} (from file ${path}): image "a:1": expected a command string or an array of strings`,
    ]);
  });
});

describe("config warnings", () => {
  it("warn about a GOFER_ env name no setting has, with the name it probably meant", () => {
    const warnings: string[] = [];
    loadConfig({
      env: { ...PRODUCTION_ENV, GOFER_SERVER_HOTS: "x", GOFER_CLI_HOST: "y", GOFER_PLUGIN_SYSTEM_KEY: "z" },
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toEqual(["env GOFER_SERVER_HOTS is not a Gofer server setting; did you mean GOFER_SERVER_HOST?"]);
  });
});
