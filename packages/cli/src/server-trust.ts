// Which server certificate the CLI accepts, decided once per command, in this order:
// 1. --insecure-plaintext (insecure_plaintext): no TLS, for servers with `use_tls = false`;
// 2. --tls-ca <file> (tls_ca): the server's certificate must chain to that CA (or be that certificate);
// 3. a loopback host (localhost, 127.x, ::1) and a `.gofer-dev/localhost-api.crt` in the working directory or one
//    of its parents — where `gofer service start --dev` keeps its certificate: exactly that certificate. If the
//    server shows a different one, the file is stale and the command stops, saying so;
// 4. a loopback host otherwise: the certificate the server presents (fetched with one TLS handshake, then pinned
//    for the connection). v0.4.1 skipped verification for localhost altogether; traffic to a loopback address
//    never leaves the machine. Use --tls-ca to be strict;
// 5. any other host: the system's CAs, with the host name checked.
// In 3 and 4, a certificate that has expired is accepted, with a warning, for exactly `localhost` and `127.0.0.1`
// (the names v0.4.1's CLI skipped verification for): an original v0.4.1 dev server still serves its built-in
// localhost certificate, which expired on 2023-12-08. Node cannot check a pin once the chain fails verification, so
// such a connection is not verified at all, as in v0.4.1. Any other host with an expired certificate is refused.
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { checkServerIdentity, type PeerCertificate, connect as tlsConnect } from "node:tls";
import { type Clock, systemClock } from "@gofer/kernel/clock";
import * as grpc from "@grpc/grpc-js";
import type { CliConfig } from "./cli-config.js";
import { CliError, ExitCode, usageError } from "./exit-codes.js";
import { isLoopback, type ServerAddress } from "./server-address.js";

export type ServerTrust =
  | { readonly kind: "plaintext" }
  | { readonly kind: "system" }
  | { readonly kind: "ca"; readonly pem: string; readonly source: string }
  | { readonly kind: "pinned"; readonly pem: string; readonly source: string }
  /** An expired certificate on localhost or 127.0.0.1, accepted as v0.4.1 did: nothing is verified. */
  | { readonly kind: "expired-loopback"; readonly pem: string; readonly expiredOn: Date };

export interface ServerTrustOptions {
  /** Where the warning about an accepted expired certificate goes. */
  readonly warn: (message: string) => void;
  readonly clock?: Clock;
}

export const DEV_CERT_PATH = join(".gofer-dev", "localhost-api.crt");
const HANDSHAKE_TIMEOUT_MS = 10_000;

export async function chooseServerTrust(
  config: Pick<CliConfig, "insecurePlaintext" | "tlsCa">,
  address: ServerAddress,
  cwd: string,
  options: ServerTrustOptions,
): Promise<ServerTrust> {
  if (config.insecurePlaintext) return { kind: "plaintext" };
  if (config.tlsCa) {
    let pem: string;
    try {
      pem = readFileSync(config.tlsCa, "utf8");
    } catch (error) {
      throw usageError(
        `tls_ca: cannot read ${config.tlsCa}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    return { kind: "ca", pem, source: config.tlsCa };
  }
  if (!isLoopback(address)) return { kind: "system" };

  const presented = await fetchPresentedCertificate(address);
  const devCert = findDevCertificate(cwd);
  if (devCert) {
    const pem = readFileSync(devCert, "utf8");
    if (!sameCertificate(pem, presented)) {
      throw new CliError(
        `the server at ${address.display} presents a different certificate than ${devCert}`,
        ExitCode.Connection,
        {
          hint: `that file was left by another dev server: remove it, run gofer from elsewhere, or pass --tls-ca <the server's certificate>`,
        },
      );
    }
    return checkExpiry({ kind: "pinned", pem, source: devCert }, address, options);
  }
  return checkExpiry(
    { kind: "pinned", pem: presented, source: `the certificate ${address.display} presented` },
    address,
    options,
  );
}

/** The names v0.4.1's CLI skipped verification for: the only ones where an expired certificate is accepted. */
export function acceptsExpiredCertificate(address: ServerAddress): boolean {
  const name = address.hostname.toLowerCase();
  return name === "localhost" || name === "127.0.0.1";
}

function checkExpiry(
  trust: Extract<ServerTrust, { kind: "pinned" }>,
  address: ServerAddress,
  options: ServerTrustOptions,
): ServerTrust {
  const expiredOn = new Date(new X509Certificate(trust.pem).validTo);
  if (expiredOn.getTime() >= (options.clock ?? systemClock).now().getTime()) return trust;
  const day = expiredOn.toISOString().slice(0, 10);
  if (!acceptsExpiredCertificate(address)) {
    throw new CliError(
      `the server at ${address.display} presents a certificate that expired on ${day}`,
      ExitCode.Connection,
      {
        hint:
          "renew the server's certificate; an expired one is accepted only for localhost and 127.0.0.1 " +
          "(as gofer v0.4.1 did)",
      },
    );
  }
  options.warn(
    `warning: the server at ${address.display} presents a certificate that expired on ${day}; accepting it ` +
      "because the host is localhost or 127.0.0.1 (as gofer v0.4.1 did), without verifying it. Renew the " +
      "server's certificate (an original v0.4.1 dev server's built-in one expired on 2023-12-08)",
  );
  return { kind: "expired-loopback", pem: trust.pem, expiredOn };
}

/**
 * TLS may not carry an IP address as server name (RFC 6066; Node warns), so for a host given as an IP the channel
 * sends "localhost" instead and the certificate is checked against the IP itself.
 */
export function channelOptions(trust: ServerTrust, address: ServerAddress): grpc.ChannelOptions {
  if (trust.kind === "plaintext") return {};
  if (trust.kind === "pinned" || trust.kind === "expired-loopback" || isIP(address.hostname) !== 0) {
    return { "grpc.ssl_target_name_override": "localhost" };
  }
  return {};
}

export function channelCredentials(trust: ServerTrust, address: ServerAddress): grpc.ChannelCredentials {
  const byIp = isIP(address.hostname) !== 0;
  const checkIp = {
    checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(address.hostname, cert),
  };
  switch (trust.kind) {
    case "plaintext":
      return grpc.credentials.createInsecure();
    case "system":
      return byIp ? grpc.credentials.createSsl(null, null, null, checkIp) : grpc.credentials.createSsl();
    case "ca":
      return grpc.credentials.createSsl(Buffer.from(trust.pem), null, null, byIp ? checkIp : {});
    case "pinned":
      // The pinned certificate is the only root; its names need not match how it was dialled (127.0.0.1 vs localhost).
      return grpc.credentials.createSsl(Buffer.from(trust.pem), null, null, { checkServerIdentity: () => undefined });
    case "expired-loopback":
      return grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false });
    default:
      return trust satisfies never;
  }
}

/** The nearest `.gofer-dev/localhost-api.crt` from dir upwards. */
export function findDevCertificate(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, DEV_CERT_PATH);
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

function sameCertificate(a: string, b: string): boolean {
  try {
    return new X509Certificate(a).fingerprint256 === new X509Certificate(b).fingerprint256;
  } catch {
    return false;
  }
}

/**
 * One TLS handshake, without verification, to read the certificate a loopback server presents (PEM). The handshake
 * is completed and the connection closed with close_notify (`end`, not `destroy`): a socket destroyed right after
 * the client's side of a TLS 1.3 handshake can take the client's Finished with it, and Go's server (the original)
 * then logs "http: TLS handshake error" for every command.
 */
export function fetchPresentedCertificate(address: ServerAddress): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: address.hostname,
      port: address.port,
      servername: "localhost",
      rejectUnauthorized: false,
      ALPNProtocols: ["h2"],
    });
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () =>
      socket.destroy(Object.assign(new Error("no TLS handshake within 10s"), { code: "ETIMEDOUT" })),
    );
    socket.once("secureConnect", () => {
      const raw = socket.getPeerCertificate().raw;
      // The server closes its side on our close_notify; the process need not wait for that, nor hear of a reset.
      socket.on("error", () => {});
      socket.setTimeout(0);
      socket.end();
      socket.unref();
      if (!raw) reject(new CliError(`the server at ${address.display} presented no certificate`, ExitCode.Connection));
      else resolve(new X509Certificate(raw).toString());
    });
    socket.once("error", (error: NodeJS.ErrnoException) => reject(handshakeError(error, address)));
  });
}

function handshakeError(error: NodeJS.ErrnoException, address: ServerAddress): CliError {
  if (error.code === "ECONNREFUSED" || error.code === "ENOTFOUND" || error.code === "EADDRNOTAVAIL") {
    return unreachable(address, error.code === "ECONNREFUSED" ? "connection refused" : error.message);
  }
  return new CliError(`no TLS handshake with the server at ${address.display}: ${error.message}`, ExitCode.Connection, {
    hint: "if the server runs with use_tls = false, pass --insecure-plaintext",
    cause: error,
  });
}

/** The message for a server that does not answer, naming the host and how to get one. */
export function unreachable(address: ServerAddress | string, reason: string): CliError {
  const display = typeof address === "string" ? address : address.display;
  return new CliError(`cannot reach the Gofer server at ${display}: ${reason}`, ExitCode.Connection, {
    hint:
      'start one with "gofer service start --dev" (it listens on localhost:8080), or point --host, GOFER_CLI_HOST ' +
      "or host in ~/.gofer.toml at a running server",
  });
}
