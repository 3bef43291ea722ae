// `--host` as the user wrote it → where to dial. As in v0.4.1, a host without a port means 443; a scheme
// (https://, grpc://) and a trailing slash are tolerated.
import { isIP } from "node:net";
import { usageError } from "./exit-codes.js";

export interface ServerAddress {
  /** host:port, for messages. */
  readonly display: string;
  /** The name or IP, without brackets. */
  readonly hostname: string;
  readonly port: number;
  /** The gRPC target, e.g. "localhost:8080" or "[::1]:8080". */
  readonly target: string;
}

export function parseServerAddress(text: string): ServerAddress {
  const trimmed = text
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/\/+$/, "");
  let hostname: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    hostname = bracketed[1] as string;
    portText = bracketed[2];
  } else if (isIP(trimmed) === 6) {
    hostname = trimmed;
  } else {
    const colon = trimmed.lastIndexOf(":");
    hostname = colon === -1 ? trimmed : trimmed.slice(0, colon);
    portText = colon === -1 ? undefined : trimmed.slice(colon + 1);
  }
  const port = portText === undefined ? 443 : Number(portText);
  if (hostname === "" || !Number.isInteger(port) || port < 1 || port > 65535 || /[\s/]/.test(hostname)) {
    throw usageError(
      `host ${JSON.stringify(text)} is not host:port`,
      "e.g. --host localhost:8080 or --host gofer.example.com:443",
    );
  }
  const host = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
  return { display: `${host}:${port}`, hostname, port, target: `${host}:${port}` };
}

/** A name that can only mean this machine: traffic to it never leaves it. */
export function isLoopback(address: ServerAddress): boolean {
  const name = address.hostname.toLowerCase();
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}
