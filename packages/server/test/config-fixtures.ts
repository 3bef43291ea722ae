// What the config tests share: the env of a production server (certificates and a real secret key, so loading passes
// the checks that guard production), and a temp directory per test to write config files into.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";

export const PRODUCTION_ENV = {
  GOFER_SERVER_TLS_CERT_PATH: "/etc/gofer/server.crt",
  GOFER_SERVER_TLS_KEY_PATH: "/etc/gofer/server.key",
  GOFER_SECRET_STORE_SQLITE_ENCRYPTION_KEY: "0123456789abcdef0123456789abcdef",
};

export interface ConfigDir {
  readonly dir: string;
  /** Writes a config file into the test's directory and returns its path. */
  write(text: string, name?: string): string;
}

export function useConfigDir(): ConfigDir {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gofer-config-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    write(text, name = "gofer.toml") {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}
