// Where the CLI's settings come from: defaults < config file < GOFER_CLI_* env < flags (cli-config.ts).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { loadCliConfig } from "../src/cli-config.js";
import { CliError, ExitCode } from "../src/exit-codes.js";

let home: string;
const sources = (env: Record<string, string> = {}) => ({ env, homeDir: home, cwd: home });

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "gofer-cli-config-"));
});

test("with nothing set, the defaults are v0.4.1's", () => {
  expect(loadCliConfig({}, sources())).toEqual({
    host: "localhost:8080",
    token: "",
    namespace: "",
    format: "pretty",
    detail: false,
    noColor: false,
    tlsCa: undefined,
    insecurePlaintext: false,
    filePath: undefined,
  });
});

test("the file is overridden by env, and env by flags", () => {
  writeFileSync(
    join(home, ".gofer.toml"),
    'host = "file:1"\ntoken = "from-file"\nnamespace = "ns_file"\ndetail = true\n',
  );
  const config = loadCliConfig(
    { host: "flag:3" },
    sources({ GOFER_CLI_HOST: "env:2", GOFER_CLI_NAMESPACE: "ns_env", GOFER_CLI_DETAIL: "false" }),
  );
  expect(config).toMatchObject({
    host: "flag:3",
    token: "from-file",
    namespace: "ns_env",
    detail: false,
    filePath: join(home, ".gofer.toml"),
  });
});

test("~/.config/gofer.toml is read when ~/.gofer.toml is absent, and XDG_CONFIG_HOME moves it", () => {
  mkdirSync(join(home, ".config"));
  writeFileSync(join(home, ".config", "gofer.toml"), 'host = "config-dir:1"\n');
  expect(loadCliConfig({}, sources()).host).toBe("config-dir:1");
  mkdirSync(join(home, "xdg"));
  writeFileSync(join(home, "xdg", "gofer.toml"), 'host = "xdg:1"\n');
  expect(loadCliConfig({}, sources({ XDG_CONFIG_HOME: join(home, "xdg") })).host).toBe("xdg:1");
});

test("a v0.4 ~/.gofer.hcl is still read when there is no TOML file", () => {
  writeFileSync(
    join(home, ".gofer.hcl"),
    '// written by gofer v0.4\nhost = "gofer.example.com:443"\nnamespace = "team_a"\nno_color = true\nformat = "json"\n',
  );
  expect(loadCliConfig({}, sources())).toMatchObject({
    host: "gofer.example.com:443",
    namespace: "team_a",
    noColor: true,
    format: "json",
  });
});

test("--config names the file; tls_ca in it is relative to the file", () => {
  const dir = join(home, "etc");
  mkdirSync(dir);
  writeFileSync(join(dir, "cli.toml"), 'tls_ca = "ca.pem"\n');
  expect(loadCliConfig({ config: join(dir, "cli.toml") }, sources()).tlsCa).toBe(join(dir, "ca.pem"));
});

test("NO_COLOR turns colour off; --no-color does too", () => {
  expect(loadCliConfig({}, sources({ NO_COLOR: "1" })).noColor).toBe(true);
  expect(loadCliConfig({ color: false }, sources()).noColor).toBe(true);
  expect(loadCliConfig({}, sources({ NO_COLOR: "" })).noColor).toBe(false);
});

describe("mistakes are usage errors that name the place", () => {
  const usage = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(ExitCode.Usage);
      return (error as CliError).message;
    }
    throw new Error("expected a usage error");
  };

  test("an unknown key suggests the near one", () => {
    writeFileSync(join(home, ".gofer.toml"), 'hots = "x:1"\n');
    expect(usage(() => loadCliConfig({}, sources()))).toBe(
      `${join(home, ".gofer.toml")}: unknown key "hots"; did you mean "host"? (known keys: host, token, namespace, format, detail, no_color, tls_ca, insecure_plaintext)`,
    );
  });

  test("a value of the wrong type", () => {
    writeFileSync(join(home, ".gofer.toml"), 'detail = "yes"\n');
    expect(usage(() => loadCliConfig({}, sources()))).toBe(
      `${join(home, ".gofer.toml")}: detail must be a boolean, got "yes"`,
    );
  });

  test("a --config file that does not exist", () => {
    expect(usage(() => loadCliConfig({ config: "missing.toml" }, sources()))).toBe(
      `--config: config file "${join(home, "missing.toml")}" does not exist`,
    );
  });

  test("an env boolean that is not one", () => {
    expect(usage(() => loadCliConfig({}, sources({ GOFER_CLI_DETAIL: "sometimes" })))).toBe(
      'GOFER_CLI_DETAIL="sometimes": expected true or false',
    );
  });

  test("an HCL block, which only a real HCL parser could read", () => {
    writeFileSync(join(home, ".gofer.hcl"), 'host = "a:1"\nserver {\n  x = 1\n}\n');
    expect(usage(() => loadCliConfig({}, sources()))).toMatch(
      new RegExp(`^${join(home, ".gofer.hcl")}:2: cannot read "server \\{": only flat \`key = "value"\` lines`),
    );
  });
});
