// Each error class has its own exit code and a message on stderr (exit-codes.ts): usage 2, connection 3,
// not found 4, permission 5. The server here keeps auth on, as a production one does.
import { rmSync, writeFileSync } from "node:fs";
import { createServer as createTcpServer } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CliTestServer, parseJson, runGofer, startCliTestServer } from "./cli-harness.js";

let t: CliTestServer;
let managementToken: string;

beforeAll(async () => {
  t = await startCliTestServer({ set: { "development.bypass_auth": false } });
  const bootstrap = await t.gofer(["service", "tokens", "bootstrap", "--format", "json"]);
  managementToken = parseJson<{ token: string }>(bootstrap).token;
});

afterAll(async () => {
  await t?.destroy();
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("usage errors exit 2", () => {
  test("an unknown command names the group's help", async () => {
    const result = await runGofer(["pipeline", "frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('gofer: Unknown argument: frobnicate\nhint: see "gofer pipeline --help"\n');
  });

  test("a bad --format value", async () => {
    const result = await runGofer(["--format", "xml", "trigger", "list"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Argument: format, Given: "xml", Choices: "pretty", "json", "silent"');
  });

  test("a malformed -v flag", async () => {
    const result = await t.gofer(["run", "start", "demo", "-v", "NOVALUE", "--token", managementToken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('gofer: -v/--variable "NOVALUE": expected KEY=VALUE');
  });
});

test("an unreachable server exits 3, naming the host and how to start a server", async () => {
  const port = await closedPort();
  const result = await runGofer(["--host", `127.0.0.1:${port}`, "pipeline", "list"]);
  expect(result.code).toBe(3);
  expect(result.stdout).toBe("");
  expect(result.stderr).toBe(
    `gofer: cannot reach the Gofer server at 127.0.0.1:${port}: connection refused\n` +
      'hint: start one with "gofer service start --dev" (it listens on localhost:8080), or point --host, ' +
      "GOFER_CLI_HOST or host in ~/.gofer.toml at a running server\n",
  );
});

test("a missing object exits 4", async () => {
  const result = await t.gofer(["pipeline", "get", "nope", "--token", managementToken]);
  expect(result.code).toBe(4);
  expect(result.stderr).toBe('gofer: pipeline "nope" in namespace "default" not found\n');
});

describe("permission errors exit 5", () => {
  test("no token: the hint says how to give one", async () => {
    const result = await t.gofer(["trigger", "list"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('gofer: missing "authorization" metadata: expected "Bearer <token>"\n');
    expect(result.stderr).toContain("hint: pass --token, set GOFER_CLI_TOKEN or token in ~/.gofer.toml");
  });

  test("a streaming call refused by the server: event list without a token", async () => {
    for (const args of [
      ["event", "list"],
      ["event", "list", "--reverse", "--limit", "1"],
      ["event", "list", "-f", "-l", "1"],
    ]) {
      const result = await t.gofer(args);
      expect(result.code).toBe(5);
      expect(result.stderr).toContain('gofer: missing "authorization" metadata: expected "Bearer <token>"\n');
    }
  });

  test("an unknown token", async () => {
    const result = await t.gofer(["trigger", "list"], { env: { GOFER_CLI_TOKEN: "0123456789abcdef" } });
    expect(result.code).toBe(5);
    expect(result.stderr).toBe("gofer: access denied: token not recognised\n");
  });

  test("a client token may not do what needs a management token", async () => {
    const created = await t.gofer([
      "service",
      "tokens",
      "create",
      "client",
      "--format",
      "json",
      "--token",
      managementToken,
    ]);
    const clientToken = parseJson<{ token: string }>(created).token;
    const result = await t.gofer(["trigger", "install", "x", "y:latest", "-c", "A=1", "--token", clientToken]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^gofer: .*management/);

    const whoami = parseJson<{ kind: string; namespaces: string[] }>(
      await t.gofer(["service", "tokens", "whoami", "--format", "json"], { env: { GOFER_CLI_TOKEN: clientToken } }),
    );
    expect(whoami).toMatchObject({ kind: "CLIENT", namespaces: ["default"] });
  });
});

test("a token from the config file is used", async () => {
  writeFileSync(`${t.home}/.gofer.toml`, `token = "${managementToken}"\nformat = "json"\n`);
  try {
    const result = await t.gofer(["namespace", "list"]);
    expect(result.code).toBe(0);
    expect(parseJson<Array<{ id: string }>>(result).map((n) => n.id)).toEqual(["default"]);
  } finally {
    rmSync(`${t.home}/.gofer.toml`);
  }
});
