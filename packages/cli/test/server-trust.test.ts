// How the CLI decides to trust a server (server-trust.ts): the dev certificate found from the working directory,
// the certificate a loopback server presents, --tls-ca, and --insecure-plaintext for use_tls = false servers.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCertificate } from "@gofer/kernel";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type CliTestServer, runGofer, startCliTestServer } from "./cli-harness.js";

let t: CliTestServer;
let plaintext: CliTestServer;
let elsewhere: string;
let otherCert: string;

beforeAll(async () => {
  [t, plaintext] = await Promise.all([startCliTestServer(), startCliTestServer({ set: { "server.use_tls": false } })]);
  elsewhere = mkdtempSync(join(tmpdir(), "gofer-cli-elsewhere-"));
  otherCert = join(elsewhere, "other.crt");
  writeFileSync(otherCert, (await generateCertificate({ hosts: ["localhost", "127.0.0.1"] })).certPem);
});

afterAll(async () => {
  await Promise.all([t?.destroy(), plaintext?.destroy()]);
});

test("in the directory the dev server keeps its certificate in, that certificate is trusted", async () => {
  expect((await t.gofer(["namespace", "list"])).code).toBe(0);
});

test("a subdirectory finds the dev certificate of a parent directory", async () => {
  const sub = join(t.dir, "a", "b");
  mkdirSync(sub, { recursive: true });
  expect((await t.gofer(["namespace", "list"], { cwd: sub })).code).toBe(0);
});

test("elsewhere, a loopback server's own certificate is accepted, by IP or as localhost", async () => {
  const port = t.server.port;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    const result = await runGofer(["--host", host, "namespace", "list", "--format", "json"], { cwd: elsewhere });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  }
});

test("a stale dev certificate in the working directory stops the command, naming the file", async () => {
  const stale = mkdtempSync(join(tmpdir(), "gofer-cli-stale-"));
  mkdirSync(join(stale, ".gofer-dev"));
  writeFileSync(
    join(stale, ".gofer-dev", "localhost-api.crt"),
    (await generateCertificate({ hosts: ["localhost"] })).certPem,
  );
  const result = await runGofer(["--host", t.host, "namespace", "list"], { cwd: stale });
  expect(result.code).toBe(3);
  expect(result.stderr).toContain(
    `gofer: the server at ${t.host} presents a different certificate than ${join(stale, ".gofer-dev", "localhost-api.crt")}\n`,
  );
});

test("--tls-ca trusts exactly the given certificate and refuses a server without it", async () => {
  const devCert = join(t.dir, ".gofer-dev", "localhost-api.crt");
  const trusted = await runGofer(["--host", t.host, "--tls-ca", devCert, "namespace", "list"], { cwd: elsewhere });
  expect(trusted.code).toBe(0);

  const refused = await runGofer(["--host", t.host, "--tls-ca", otherCert, "namespace", "list"], { cwd: elsewhere });
  expect(refused.code).toBe(3);
  expect(refused.stderr).toMatch(new RegExp(`^gofer: the server at ${t.host} is not trusted: `));
  expect(refused.stderr).toContain("hint: pass --tls-ca <file>");
});

test("a use_tls = false server needs --insecure-plaintext, and says so", async () => {
  const refused = await plaintext.gofer(["namespace", "list"]);
  expect(refused.code).toBe(3);
  expect(refused.stderr).toContain(`gofer: no TLS handshake with the server at ${plaintext.host}`);
  expect(refused.stderr).toContain("hint: if the server runs with use_tls = false, pass --insecure-plaintext\n");

  expect((await plaintext.gofer(["namespace", "list", "--insecure-plaintext"])).code).toBe(0);
  expect((await plaintext.gofer(["namespace", "list"], { env: { GOFER_CLI_INSECURE_PLAINTEXT: "true" } })).code).toBe(
    0,
  );
});
