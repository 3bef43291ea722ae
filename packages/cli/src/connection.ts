// One connection to the Gofer API per command: the channel (credentials from server-trust.ts), the bearer token
// as metadata, and promise clients with a deadline on every unary call. Streams use `client` directly.
import { GoferClient, type PromiseClient, promiseClient } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import type { CliConfig } from "./cli-config.js";
import { parseServerAddress, type ServerAddress } from "./server-address.js";
import { channelCredentials, channelOptions, chooseServerTrust, type ServerTrust } from "./server-trust.js";

/** Unary calls: the server answers in milliseconds; 30 s covers a busy one. */
export const CALL_TIMEOUT_MS = 30_000;
/** Installing a trigger pulls and starts an image, which can take minutes on a slow registry. */
export const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface Connection {
  readonly address: ServerAddress;
  readonly trust: ServerTrust;
  readonly client: GoferClient;
  /** Sends the token, if any; pass it to streaming calls. */
  readonly metadata: grpc.Metadata;
  /** Unary calls with a CALL_TIMEOUT_MS deadline. */
  readonly api: PromiseClient<GoferClient>;
  /** Unary calls with an INSTALL_TIMEOUT_MS deadline. */
  readonly slowApi: PromiseClient<GoferClient>;
  close(): void;
}

/** @param warn where a warning about the server's certificate goes (default: stderr, as `gofer: <warning>`). */
export async function openConnection(
  config: CliConfig,
  cwd: string,
  warn: (message: string) => void = (message) => process.stderr.write(`gofer: ${message}\n`),
): Promise<Connection> {
  const address = parseServerAddress(config.host);
  const trust = await chooseServerTrust(config, address, cwd, { warn });
  const client = new GoferClient(address.target, channelCredentials(trust, address), {
    ...channelOptions(trust, address),
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  });
  const metadata = new grpc.Metadata();
  if (config.token) metadata.set("authorization", `Bearer ${config.token}`);
  return {
    address,
    trust,
    client,
    metadata,
    api: promiseClient(client, { metadata, timeoutMs: CALL_TIMEOUT_MS }),
    slowApi: promiseClient(client, { metadata, timeoutMs: INSTALL_TIMEOUT_MS }),
    close: () => client.close(),
  };
}
