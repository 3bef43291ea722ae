// server.storage_engine / server.storage_url: the errors name key, value and source, and never show the password.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config/config-error.js";
import { loadConfig } from "../src/config/load-config.js";
import { PRODUCTION_ENV, useConfigDir } from "./config-fixtures.js";

const configDir = useConfigDir();

function problemsOf(env: Record<string, string>, path?: string): readonly string[] {
  try {
    loadConfig({ path, env: { ...PRODUCTION_ENV, ...env } });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}

describe("storage config", () => {
  it("defaults to sqlite with no URL", () => {
    const { server } = loadConfig({ env: PRODUCTION_ENV });
    expect(server.storageEngine).toBe("sqlite");
    expect(server.storageUrl).toBeUndefined();
  });

  it("reads postgres and the URL from env", () => {
    const url = "postgres://gofer:s3cret@db.internal:5432/gofer";
    const { server } = loadConfig({
      env: { ...PRODUCTION_ENV, GOFER_SERVER_STORAGE_ENGINE: "postgres", GOFER_SERVER_STORAGE_URL: url },
    });
    expect(server.storageEngine).toBe("postgres");
    expect(server.storageUrl).toBe(url);
  });

  it("names an unknown engine and the values it may take", () => {
    expect(problemsOf({ GOFER_SERVER_STORAGE_ENGINE: "mysql" })).toEqual([
      'server.storage_engine = "mysql" (from env GOFER_SERVER_STORAGE_ENGINE): must be one of sqlite, postgres',
    ]);
  });

  it("asks for a URL when the engine is postgres", () => {
    const path = configDir.write('[server]\nstorage_engine = "postgres"\n');
    expect(problemsOf({}, path)).toEqual([
      `server.storage_engine = "postgres" (from file ${path}) but server.storage_url is not set ` +
        "(env GOFER_SERVER_STORAGE_URL); expected postgres://user:password@host:5432/database",
    ]);
  });

  it.each([
    ["mysql://gofer:s3cret@db:3306/gofer", 'has scheme "mysql:", not a Postgres one'],
    ["gofer:s3cret@db", 'has scheme "gofer:", not a Postgres one'],
    ["s3cret at db", "is not a URL"],
  ])("names what is wrong with %s without echoing it, since it may hold the password", (value, reason) => {
    const problems = problemsOf({ GOFER_SERVER_STORAGE_ENGINE: "postgres", GOFER_SERVER_STORAGE_URL: value });
    expect(problems).toEqual([
      `server.storage_url (from env GOFER_SERVER_STORAGE_URL) ${reason}; ` +
        "expected postgres://user:password@host:5432/database",
    ]);
    expect(problems.join("\n")).not.toContain("s3cret");
  });
});
