// The Watch long-poll as a bare gRPC call on node:http2: one POST of an empty message, one response message, the
// status in the trailers. Watch is the one call Gofer makes per event, and grpc-js spends ~0.4 ms of CPU on each
// call (its channel, filters and metadata machinery); this path does the same exchange for a fraction of that, so
// the event path is not capped by the client. Everything else (Info, Subscribe, …) stays on grpc-js.
//
// It speaks the gRPC HTTP/2 protocol to the letter where a server can tell: `te: trailers`,
// `content-type: application/grpc`, the Bearer key, a length-prefixed uncompressed message, and identity as the only
// accepted encoding. Failures reject with an Error carrying `code` (a gRPC status number) and `details`, as grpc-js
// does, so callers cannot tell the two clients apart. It sends no keepalive pings: a trigger's liveness is its process
// or container (the server restarts a trigger that exits), and Go gRPC servers answer pings more often than every
// 5 minutes on an otherwise quiet connection with GOAWAY.
import * as http2 from "node:http2";
import * as net from "node:net";
import * as tls from "node:tls";
import { TriggerWatchResponse } from "@gofer/proto";
import { status } from "@grpc/grpc-js";
import { type Clock, systemClock } from "./clock.js";

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
  private session: http2.ClientHttp2Session | undefined;
  private outstanding = 0;
  private readonly headers: http2.OutgoingHttpHeaders;
  private closed = false;

  constructor(private readonly options: WatchChannelOptions) {
    this.headers = {
      ":method": "POST",
      ":path": WATCH_PATH,
      ":authority": "localhost",
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-accept-encoding": "identity",
      authorization: `Bearer ${options.key}`,
    };
  }

  /** One Watch call: resolves with the response (empty = nothing happened); aborting cancels it (CANCELLED). */
  watch(signal: AbortSignal, options?: WatchCallOptions): Promise<TriggerWatchResponse> {
    return new Promise((resolve, reject) => {
      if (signal.aborted || this.closed) {
        reject(watchError(status.CANCELLED, this.closed ? "channel closed" : "Watch cancelled before it started"));
        return;
      }
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.connect().request(options ? this.headersFor(options) : this.headers, { endStream: false });
      } catch (error) {
        this.session?.destroy();
        reject(watchError(status.UNAVAILABLE, (error as Error).message));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      let httpStatus = 0;
      let settled = false;
      this.active(+1);
      const deadline = options?.timeoutMs === undefined ? undefined : new AbortController();
      const finish = (error: WatchError | undefined, response?: TriggerWatchResponse) => {
        if (settled) return;
        settled = true;
        this.active(-1);
        signal.removeEventListener("abort", onAbort);
        deadline?.abort();
        if (error) {
          // Tells the trigger the call is over (a cancelled long-poll must not keep an event for nobody).
          if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(error);
        } else {
          resolve(response as TriggerWatchResponse);
        }
      };
      const onAbort = () => finish(watchError(status.CANCELLED, "Watch cancelled"));
      signal.addEventListener("abort", onAbort, { once: true });
      if (deadline) {
        (this.options.clock ?? systemClock).sleep(options?.timeoutMs ?? 0, deadline.signal).then(
          () => finish(watchError(status.DEADLINE_EXCEEDED, "Watch deadline exceeded")),
          () => {}, // the call finished first
        );
      }

      const complete = (fields: http2.IncomingHttpHeaders) => {
        const code = Number(fields["grpc-status"]);
        if (fields["grpc-status"] === undefined || Number.isNaN(code)) {
          finish(
            watchError(
              httpStatus === 200 ? status.UNKNOWN : httpStatusToCode(httpStatus),
              `no grpc-status in the response (HTTP ${httpStatus})`,
            ),
          );
          return;
        }
        if (code !== status.OK) {
          finish(watchError(code, decodeMessage(fields["grpc-message"])));
          return;
        }
        try {
          finish(undefined, decodeResponse(Buffer.concat(chunks, received)));
        } catch (error) {
          finish(watchError(status.INTERNAL, `bad Watch response: ${(error as Error).message}`));
        }
      };
      stream.on("response", (fields, flags) => {
        httpStatus = Number(fields[":status"]);
        // A trailers-only response (an error, with no message body) carries its status in the headers.
        if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM || fields["grpc-status"] !== undefined) complete(fields);
      });
      stream.on("trailers", complete);
      stream.on("data", (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) {
          finish(watchError(status.RESOURCE_EXHAUSTED, `Watch response larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on("close", () => {
        if (settled) return;
        const code = stream.rstCode;
        finish(
          watchError(
            status.UNAVAILABLE,
            code && code !== http2.constants.NGHTTP2_NO_ERROR
              ? `stream reset by the trigger (HTTP/2 error ${code})`
              : "the trigger closed the stream without a status",
          ),
        );
      });
      stream.on("error", (error) => finish(watchError(status.UNAVAILABLE, error.message)));
      stream.end(EMPTY_REQUEST);
    });
  }

  /** The default headers with this call's deadline and authorization. */
  private headersFor(options: WatchCallOptions): http2.OutgoingHttpHeaders {
    const headers = { ...this.headers };
    if (options.timeoutMs !== undefined) {
      // At most 8 digits (gRPC HTTP/2 protocol): 99999999 ms is over a day.
      headers["grpc-timeout"] = `${Math.min(99_999_999, Math.max(1, Math.ceil(options.timeoutMs)))}m`;
    }
    if (options.authorization === null) delete headers.authorization;
    else if (options.authorization !== undefined) headers.authorization = options.authorization;
    return headers;
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  /** The live session, dialled on first use and again after the trigger went away. */
  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const { address, certPem } = this.options;
    const [host, port] = splitAddress(address);
    // One small frame per call each way: Nagle's algorithm would hold each behind the peer's delayed ACK.
    const session = http2.connect(`${certPem ? "https" : "http"}://${address}`, {
      createConnection: () => {
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
        socket.setNoDelay(true);
        return socket;
      },
    });
    // Errors reach the streams as well; without a listener a session error would be thrown.
    session.on("error", () => {});
    session.on("close", () => {
      if (this.session === session) this.session = undefined;
    });
    session.on("goaway", () => {
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
function decodeMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(",") : (value ?? "");
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
