// The Watch long-poll as a bare gRPC call on this package's own HTTP/2 client session (http2/client-session.ts): one
// POST of an empty message, one response message, the status in the trailers. Watch is the one call Gofer makes per
// event; grpc-js spends ~0.4 ms of CPU on each call (its channel, filters and metadata machinery) and node:http2's
// client alone ~0.1 ms (nghttp2 round trips, stream objects, an async resource per request). This path does the same
// exchange for a fraction of that, so the event path is not capped by the client. Everything else (Info, Subscribe,
// …) stays on grpc-js.
//
// It speaks the gRPC HTTP/2 protocol to the letter where a server can tell: `te: trailers`,
// `content-type: application/grpc`, the Bearer key, a length-prefixed uncompressed message, and identity as the only
// accepted encoding. Failures reject with an Error carrying `code` (a gRPC status number) and `details`, as grpc-js
// does, so callers cannot tell the two clients apart. It sends no keepalive pings: a trigger's liveness is its process
// or container (the server restarts a trigger that exits), and Go gRPC servers answer pings more often than every
// 5 minutes on an otherwise quiet connection with GOAWAY.
import * as net from "node:net";
import * as tls from "node:tls";
import { TriggerWatchResponse } from "@gofer/proto";
import { status } from "@grpc/grpc-js";
import { type Clock, systemClock } from "./clock.js";
import { type ClientStreamListener, H2ClientSession } from "./http2/client-session.js";
import { encodeHeaders, type HeaderList } from "./http2/hpack.js";

const WATCH_PATH = "/proto.TriggerService/Watch";
/** An empty TriggerWatchRequest, framed: not compressed, length 0. */
const EMPTY_REQUEST = Buffer.alloc(5);
/** Above this a response is not a Watch response; the call fails rather than buffering without limit. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface WatchChannelOptions {
  /** host:port */
  address: string;
  key: string;
  /** The PEM certificate the trigger serves, trusted exactly; null dials plaintext (tests only). */
  certPem: string | null;
  /** Times per-call deadlines (WatchCallOptions.timeoutMs). Default systemClock. */
  clock?: Clock;
}

/** Per call, both optional: Gofer's own Watch sends the key and waits as long as the trigger takes. */
export interface WatchCallOptions {
  /** A deadline: sent as grpc-timeout, and the call rejects with DEADLINE_EXCEEDED once it passed. */
  readonly timeoutMs?: number;
  /** The authorization header; default `Bearer <key>`, null sends none. */
  readonly authorization?: string | null;
}

export interface WatchError extends Error {
  code: number;
  details: string;
}

function watchError(code: number, details: string): WatchError {
  const name = (status as unknown as Record<number, string>)[code] ?? String(code);
  return Object.assign(new Error(`${code} ${name}: ${details}`), { code, details });
}

export class WatchChannel {
  private session: H2ClientSession | undefined;
  private outstanding = 0;
  private readonly fields: [string, string][];
  /** The header block of a call with neither deadline nor other authorization: encoded once. */
  private readonly block: Buffer;
  private closed = false;

  constructor(private readonly options: WatchChannelOptions) {
    this.fields = [
      [":method", "POST"],
      [":scheme", options.certPem ? "https" : "http"],
      [":path", WATCH_PATH],
      [":authority", "localhost"],
      ["content-type", "application/grpc"],
      ["te", "trailers"],
      ["grpc-accept-encoding", "identity"],
      ["authorization", `Bearer ${options.key}`],
    ];
    this.block = encodeHeaders(this.fields);
  }

  /** One Watch call: resolves with the response (empty = nothing happened); aborting cancels it (CANCELLED). */
  watch(signal: AbortSignal, options?: WatchCallOptions): Promise<TriggerWatchResponse> {
    return new Promise((resolve, reject) => {
      if (signal.aborted || this.closed) {
        reject(watchError(status.CANCELLED, this.closed ? "channel closed" : "Watch cancelled before it started"));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      let httpStatus = 0;
      let settled = false;
      let streamOpen = true;
      const deadline = options?.timeoutMs === undefined ? undefined : new AbortController();
      const finish = (error: WatchError | undefined, response?: TriggerWatchResponse) => {
        if (settled) return;
        settled = true;
        this.active(-1);
        signal.removeEventListener("abort", onAbort);
        deadline?.abort();
        if (error) {
          // Tells the trigger the call is over (a cancelled long-poll must not keep an event for nobody).
          if (streamOpen) session.cancel(id);
          reject(error);
        } else {
          resolve(response as TriggerWatchResponse);
        }
      };
      const complete = (fields: HeaderList) => {
        const grpcStatus = field(fields, "grpc-status");
        const code = Number(grpcStatus);
        if (grpcStatus === undefined || Number.isNaN(code)) {
          finish(
            watchError(
              httpStatus === 200 ? status.UNKNOWN : httpStatusToCode(httpStatus),
              `no grpc-status in the response (HTTP ${httpStatus})`,
            ),
          );
          return;
        }
        if (code !== status.OK) {
          finish(watchError(code, decodeMessage(field(fields, "grpc-message"))));
          return;
        }
        try {
          finish(undefined, decodeResponse(Buffer.concat(chunks, received)));
        } catch (error) {
          finish(watchError(status.INTERNAL, `bad Watch response: ${(error as Error).message}`));
        }
      };
      const listener: ClientStreamListener = {
        onHeaders: (fields, endStream) => {
          if (endStream) streamOpen = false;
          if (httpStatus === 0) {
            httpStatus = Number(field(fields, ":status"));
            // A trailers-only response (an error, with no message body) carries its status in the headers.
            if (endStream || field(fields, "grpc-status") !== undefined) complete(fields);
          } else if (endStream) {
            complete(fields);
          }
        },
        onData: (chunk) => {
          if (settled) return;
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) {
            finish(watchError(status.RESOURCE_EXHAUSTED, `Watch response larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        },
        onClose: (reason) => {
          streamOpen = false;
          finish(watchError(status.UNAVAILABLE, reason));
        },
      };
      let session: H2ClientSession;
      let id: number;
      try {
        session = this.connect();
        id = session.request(options ? this.blockFor(options) : this.block, EMPTY_REQUEST, listener);
      } catch (error) {
        reject(watchError(status.UNAVAILABLE, (error as Error).message));
        return;
      }
      this.active(+1);
      const onAbort = () => finish(watchError(status.CANCELLED, "Watch cancelled"));
      signal.addEventListener("abort", onAbort, { once: true });
      if (deadline) {
        (this.options.clock ?? systemClock).sleep(options?.timeoutMs ?? 0, deadline.signal).then(
          () => finish(watchError(status.DEADLINE_EXCEEDED, "Watch deadline exceeded")),
          () => {}, // the call finished first
        );
      }
    });
  }

  /** The header block with this call's deadline and authorization. */
  private blockFor(options: WatchCallOptions): Buffer {
    let fields = this.fields;
    if (options.authorization === null) fields = fields.filter(([name]) => name !== "authorization");
    else if (options.authorization !== undefined) {
      const authorization = options.authorization;
      fields = fields.map(([name, value]) => [name, name === "authorization" ? authorization : value]);
    }
    if (options.timeoutMs !== undefined) {
      // At most 8 digits (gRPC HTTP/2 protocol): 99999999 ms is over a day.
      fields = [...fields, ["grpc-timeout", `${Math.min(99_999_999, Math.max(1, Math.ceil(options.timeoutMs)))}m`]];
    }
    return encodeHeaders(fields);
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  /** The live session, dialled on first use and again after the trigger went away. */
  private connect(): H2ClientSession {
    if (this.session?.usable) return this.session;
    const { address, certPem } = this.options;
    const [host, port] = splitAddress(address);
    const socket = certPem
      ? tls.connect({
          host,
          port,
          ca: certPem,
          // Trust is the one certificate given, whatever name it carries (spec §2.3), as the grpc-js client does.
          checkServerIdentity: () => undefined,
          servername: "localhost",
          ALPNProtocols: ["h2"],
        })
      : net.connect({ host, port });
    if (socket instanceof tls.TLSSocket) {
      socket.once("secureConnect", () => {
        if (socket.alpnProtocol !== "h2") socket.destroy(new Error("the trigger did not agree to HTTP/2 (ALPN h2)"));
      });
    }
    // One small frame per call each way: Nagle's algorithm would hold each behind the peer's delayed ACK.
    socket.setNoDelay(true);
    const session: H2ClientSession = new H2ClientSession(socket, () => {
      if (this.session === session) this.session = undefined;
    });
    if (this.outstanding === 0) session.unref();
    this.session = session;
    return session;
  }

  /** An outstanding Watch holds the process open, as a grpc-js call does; an idle session does not. */
  private active(delta: 1 | -1): void {
    this.outstanding += delta;
    if (this.outstanding === 0) this.session?.unref();
    else if (this.outstanding === 1 && delta === 1) this.session?.ref();
  }
}

/** A header's value; a repeated one joined with commas (RFC 9110 §5.3). */
function field(fields: HeaderList, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of fields) if (n === name) value = value === undefined ? v : `${value},${v}`;
  return value;
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return [host, Number(address.slice(colon + 1))];
}

/** Unframes the one length-prefixed message of a unary response. */
function decodeResponse(body: Buffer): TriggerWatchResponse {
  if (body.length < 5) throw new Error(`${body.length} bytes, not a framed message`);
  if (body[0] !== 0) throw new Error("compressed message, though only identity was accepted");
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw new Error(`frame says ${length} bytes, body has ${body.length - 5}`);
  return TriggerWatchResponse.decode(body.subarray(5));
}

/** grpc-message is percent-encoded (gRPC HTTP/2 protocol). */
function decodeMessage(value: string | undefined): string {
  const text = value ?? "";
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The gRPC spec's mapping for a response that is HTTP but not gRPC. */
function httpStatusToCode(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return status.INTERNAL;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return status.UNAVAILABLE;
    default:
      return status.UNKNOWN;
  }
}
