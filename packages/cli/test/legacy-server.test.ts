// Our CLI against an original v0.4.1 dev-mode server (fake-original-server.ts): its localhost certificate has expired,
// which v0.4.1's CLI never noticed (it skipped verification for localhost and 127.0.0.1); ours accepts it for those
// two names only, with a warning, and its certificate probe completes the handshake, so the original logs no TLS
// handshake error. ToggleEventIngress answers the ignore flag, and we print the state it means.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseServerAddress } from "../src/server-address.js";
import { acceptsExpiredCertificate } from "../src/server-trust.js";
import { parseJson, runGofer } from "./cli-harness.js";
import { type FakeOriginalServer, startFakeOriginalServer } from "./fake-original-server.js";

let expired: FakeOriginalServer;
let current: FakeOriginalServer;
let elsewhere: string;

beforeAll(async () => {
  [expired, current] = await Promise.all([
    startFakeOriginalServer({ expired: true }),
    startFakeOriginalServer({ expired: false }),
  ]);
  elsewhere = mkdtempSync(join(tmpdir(), "gofer-cli-legacy-"));
});

afterAll(async () => {
  await Promise.all([expired?.close(), current?.close()]);
});

const gofer = (server: FakeOriginalServer, host: string, args: string[]) =>
  runGofer(["--host", `${host}:${server.port}`, ...args], { cwd: elsewhere, env: { HOME: elsewhere } });

describe("an original dev server whose localhost certificate has expired", () => {
  test.each(["localhost", "127.0.0.1"])("is reached as %s, with a warning naming the expiry", async (host) => {
    const result = await gofer(expired, host, ["namespace", "list", "--format", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<Array<{ id: string }>>(result).map((n) => n.id)).toEqual(["default"]);
    expect(result.stderr).toBe(
      `gofer: warning: the server at ${host}:${expired.port} presents a certificate that expired on 2023-12-08; ` +
        "accepting it because the host is localhost or 127.0.0.1 (as gofer v0.4.1 did), without verifying it. " +
        "Renew the server's certificate (an original v0.4.1 dev server's built-in one expired on 2023-12-08)\n",
    );
  });

  test("is still refused when --tls-ca names its certificate: an explicit CA is checked strictly", async () => {
    const ca = join(elsewhere, "expired.crt");
    writeFileSync(ca, expired.certPem);
    const result = await gofer(expired, "localhost", ["--tls-ca", ca, "namespace", "list"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("certificate has expired");
  });

  test("only localhost and 127.0.0.1 get this leniency; any other host is verified", () => {
    const accepted = ["localhost:8080", "LOCALHOST:8080", "127.0.0.1:8080"];
    const refused = ["127.0.0.2:8080", "[::1]:8080", "gofer.example.com:443", "10.0.0.1:8080"];
    expect(accepted.map((h) => acceptsExpiredCertificate(parseServerAddress(h)))).toEqual(accepted.map(() => true));
    expect(refused.map((h) => acceptsExpiredCertificate(parseServerAddress(h)))).toEqual(refused.map(() => false));
  });
});

describe("the certificate probe", () => {
  test("completes its handshake, so the server logs no TLS handshake error", async () => {
    // Only this test's commands count (a refused certificate, above, does end in a failed handshake).
    current.handshakeErrors.length = 0;
    expired.handshakeErrors.length = 0;
    const before = current.secureConnections;
    for (const host of ["localhost", "127.0.0.1"]) {
      expect((await gofer(current, host, ["namespace", "list"])).code).toBe(0);
      expect((await gofer(expired, host, ["namespace", "list"])).code).toBe(0);
    }
    // The probe and the gRPC connection, for each command.
    expect(current.secureConnections - before).toBe(4);
    expect(current.handshakeErrors).toEqual([]);
    expect(expired.handshakeErrors).toEqual([]);
  });
});

describe("service toggle-event-ingress against an original server", () => {
  test("reports the state the server's answer (the ignore flag) means", async () => {
    const off = await gofer(current, "localhost", ["service", "toggle-event-ingress"]);
    expect(off.stdout).toContain("Event ingress is now off: trigger events are ignored");
    expect(current.ignoringEvents).toBe(true);
    const on = await gofer(current, "localhost", ["service", "toggle-event-ingress", "--format", "json"]);
    expect(parseJson(on)).toEqual({ event_ingress: true });
    expect(current.ignoringEvents).toBe(false);
  });
});
