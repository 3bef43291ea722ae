// A unary-only gRPC server on this package's own HTTP/2 framing (./http2), the mirror of the lean Watch client
// (watch-channel.ts). A trigger answers one Watch call per event: grpc-js spends most of each call in its generic
// machinery, and node:http2 writes each answer twice (its trailers go out a loop turn after the headers and data);
// here an answer is one buffer and one write. It also keeps grpc-js and its protobufjs out of the trigger process.
//
// The gRPC HTTP/2 protocol, as a client can observe it: POST with `content-type: application/grpc…` (else HTTP 415),
// one length-prefixed uncompressed message each way (compressed ones: UNIMPLEMENTED; over 4 MB: RESOURCE_EXHAUSTED, the
// grpc-js default), `grpc-status`/`grpc-message` (percent-encoded) in the trailers, or alone in the headers for an
// error (trailers-only), `grpc-timeout` honoured (DEADLINE_EXCEEDED), an unknown path UNIMPLEMENTED, and a call whose
// stream the caller resets or whose connection drops is cancelled: its signal aborts and it is never answered.
//
// Transport timers (deadlines, keepalive) run on the system clock: they measure the network, not trigger time, and a
// test moving a FakeClock by an hour must not expire the calls in flight.
import * as net from "node:net";
import * as tls from "node:tls";
import { type Clock, systemClock } from "@gofer/kernel/clock";
import { encodeHeaders } from "@gofer/kernel/http2";
import { GrpcStatus, type RpcStatus } from "./grpc-status.js";
import { H2Connection } from "./http2/connection.js";
import type { H2Stream, StreamListener } from "./http2/stream.js";

/** Largest request message accepted, as grpc-js's default. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** A Watch is parked for as long as nothing happens; a ping every 30 s notices a Gofer that vanished without a FIN. */
const KEEPALIVE_INTERVAL_MS = 30_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;
// What every answer sends, encoded once. No `date` header: gRPC does not use it, and it would cost both sides a
// header that changes every second.
const OK_HEADERS = encodeHeaders([
  [":status", "200"],
  ["content-type", "application/grpc"],
  ["grpc-accept-encoding", "identity"],
]);
const OK_TRAILERS = encodeHeaders([
  ["grpc-status", "0"],
  ["grpc-message", "OK"],
]);
const MESSAGE_PREFIX = Buffer.alloc(5);
const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

export interface UnaryCall {
  /** Aborts when the caller cancels (RST_STREAM, a dropped connection) or the call's grpc-timeout passes. */
  readonly signal: AbortSignal;
  /** True once the call can no longer be answered. */
  readonly cancelled: boolean;
}

/**
 * Handles one call: the request message's bytes in, the response message's bytes out, returned directly or through a
 * promise (a handler with its answer at hand returns it directly: no promise, no microtask turn). Undefined answers
 * nothing (the call was cancelled). A throw ends the call with the error's numeric `code` (UNKNOWN without one) and
 * its message.
 */
export type UnaryHandler = (
  request: Uint8Array,
  call: UnaryCall,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

export interface UnaryGrpcServerOptions {
  /** host:port; port 0 picks a free one. */
  host: string;
  /** PEM text; null serves plaintext (tests only). */
  tls: { certPem: string; keyPem: string } | null;
  /** Handlers by path, e.g. `/proto.TriggerService/Watch`. */
  methods: ReadonlyMap<string, UnaryHandler>;
  /** Checks every call to a known method before its handler runs; a status refuses the call. */
  authorize(authorization: string | undefined): RpcStatus | undefined;
}

export interface UnaryGrpcServer {
  readonly port: number;
  /**
   * Takes no more connections and lets open calls finish (each connection gets a GOAWAY); when forceAfterMs passes
   * on clock first, cuts what is left. Resolves true if it had to force.
   */
  close(forceAfterMs: number, clock: Clock): Promise<boolean>;
}

export async function startUnaryGrpcServer(options: UnaryGrpcServerOptions): Promise<UnaryGrpcServer> {
  const connections = new Set<H2Connection>();
  let closing = false;
  const handler = {
    stream: (stream: H2Stream) => serveStream(stream, options),
    closed: (connection: H2Connection) => connections.delete(connection),
  };
  const accept = (socket: net.Socket) => {
    const connection = new H2Connection(socket, handler);
    connections.add(connection);
    // A connection accepted just as close() began still has its first requests answered, then closes.
    if (closing) connection.shutdown();
    void keepAlive(connection, socket);
  };
  const server = options.tls
    ? tls.createServer({ cert: options.tls.certPem, key: options.tls.keyPem, ALPNProtocols: ["h2"] }, accept)
    : net.createServer(accept);
  // A TLS handshake that fails (a client without h2, a bad certificate) only ends that socket.
  server.on("tlsClientError", () => {});

  const [host, port] = splitHost(options.host);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;

  return {
    port: boundPort,
    async close(forceAfterMs, clock) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Each connection sends GOAWAY and ends once its open calls are answered (parked Watches are, by the queue's
      // close).
      for (const connection of connections) connection.shutdown();
      const force = new AbortController();
      const forced = clock.sleep(forceAfterMs, force.signal).then(
        () => true,
        () => false,
      );
      const wasForced = await Promise.race([closed.then(() => false), forced]);
      force.abort();
      if (wasForced) {
        for (const connection of connections) connection.destroy();
        await closed;
      }
      return wasForced;
    },
  };
}

function serveStream(stream: H2Stream, options: UnaryGrpcServerOptions): void {
  const headers = stream.headers;
  const contentType = headers["content-type"] ?? "";
  if (headers[":method"] !== "POST" || !contentType.startsWith("application/grpc")) {
    // Not gRPC: a status other than 200 so no HTTP client mistakes the error for a success (gRPC HTTP/2 protocol).
    respondTrailersOnly(stream, GrpcStatus.UNKNOWN, `unsupported request: ${headers[":method"]} ${contentType}`, 415);
    return;
  }
  const path = headers[":path"] ?? "";
  const handler = options.methods.get(path);
  if (!handler) {
    respondTrailersOnly(stream, GrpcStatus.UNIMPLEMENTED, `The server does not implement the method ${path}`);
    return;
  }
  const call = new ServerCall(stream, handler, options);
  stream.listener = call;
  const timeout = headers["grpc-timeout"];
  if (timeout !== undefined) call.startDeadline(timeout);
}

/** Ends a call with a handler's throw: its numeric `code` (UNKNOWN without one) and its message. */
function failWith(call: ServerCall, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  call.fail(
    typeof code === "number" ? code : GrpcStatus.UNKNOWN,
    error instanceof Error ? error.message : String(error),
  );
}

/** One call's state: answered at most once, cancelled when its stream ends first or its deadline passes. */
class ServerCall implements UnaryCall, StreamListener {
  finished = false;
  private controller: AbortController | undefined;
  private deadline: AbortController | undefined;
  private body: Buffer | undefined;
  private chunks: Buffer[] | undefined;
  private size = 0;

  constructor(
    private readonly stream: H2Stream,
    private readonly handler: UnaryHandler,
    private readonly options: UnaryGrpcServerOptions,
  ) {}

  get cancelled(): boolean {
    return this.finished || this.stream.done;
  }

  /** Made on first use: most calls never need one. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.finished) this.controller.abort(new Error("call already ended"));
    }
    return this.controller.signal;
  }

  data(chunk: Buffer): void {
    if (this.finished) return;
    this.size += chunk.length;
    if (this.size > MAX_REQUEST_BYTES + 5) {
      this.fail(
        GrpcStatus.RESOURCE_EXHAUSTED,
        `Received message larger than max (${this.size} vs. ${MAX_REQUEST_BYTES})`,
      );
      return;
    }
    if (this.body === undefined) this.body = chunk;
    else if (this.chunks === undefined) this.chunks = [this.body, chunk];
    else this.chunks.push(chunk);
  }

  end(): void {
    if (this.finished) return;
    const headers = this.stream.headers;
    const denied = this.options.authorize(headers.authorization);
    if (denied) {
      this.fail(denied.code, denied.details);
      return;
    }
    const body = this.chunks ? Buffer.concat(this.chunks, this.size) : (this.body ?? Buffer.alloc(0));
    const message = unframe(body, headers);
    if ("code" in message) {
      this.fail(message.code, message.details);
      return;
    }
    let response: ReturnType<UnaryHandler>;
    try {
      response = this.handler(message, this);
    } catch (error) {
      failWith(this, error);
      return;
    }
    if (response instanceof Promise) {
      response.then(
        (answer) => {
          if (answer !== undefined) this.reply(answer);
        },
        (error: unknown) => failWith(this, error),
      );
    } else if (response !== undefined) {
      this.reply(response);
    }
  }

  /** The stream was reset or its connection closed before an answer. */
  aborted(): void {
    this.deadline?.abort();
    if (this.finished) return;
    this.finished = true;
    this.controller?.abort(new Error("call cancelled by the caller"));
  }

  /** Arms the grpc-timeout; an invalid value fails the call. */
  startDeadline(value: string): void {
    const match = /^(\d{1,8})([HMSmun])$/.exec(value);
    if (!match) {
      this.fail(GrpcStatus.OUT_OF_RANGE, `Invalid grpc-timeout value "${value}"`);
      return;
    }
    const ms = Number(match[1]) * (TIMEOUT_UNIT_MS[match[2] as string] as number);
    this.deadline = new AbortController();
    systemClock.sleep(ms, this.deadline.signal).then(
      () => {
        this.fail(GrpcStatus.DEADLINE_EXCEEDED, "Deadline exceeded");
        this.controller?.abort(new Error("deadline exceeded"));
      },
      () => {},
    );
  }

  reply(message: Uint8Array): void {
    if (this.cancelled) return;
    this.finished = true;
    this.deadline?.abort();
    // The length prefix of an uncompressed message; reply() copies it at once, so one buffer serves every answer.
    MESSAGE_PREFIX.writeUInt32BE(message.length, 1);
    this.stream.reply(OK_HEADERS, message, OK_TRAILERS, MESSAGE_PREFIX);
  }

  fail(code: number, details: string): void {
    if (this.cancelled) return;
    this.finished = true;
    this.deadline?.abort();
    respondTrailersOnly(this.stream, code, details);
  }
}

function respondTrailersOnly(stream: H2Stream, code: number, details: string, httpStatus = 200): void {
  stream.replyHeadersOnly(
    encodeHeaders([
      [":status", String(httpStatus)],
      ["content-type", "application/grpc"],
      ["grpc-status", String(code)],
      ["grpc-message", encodeGrpcMessage(details)],
    ]),
  );
}

/** The one length-prefixed message of a unary request, or the status that refuses it. */
function unframe(body: Buffer, headers: Readonly<Record<string, string>>): Uint8Array | RpcStatus {
  if (body.length < 5)
    return { code: GrpcStatus.INTERNAL, details: `request of ${body.length} bytes is not a message` };
  if (body[0] !== 0) {
    const encoding = headers["grpc-encoding"] ?? "none";
    return {
      code: GrpcStatus.UNIMPLEMENTED,
      details: `compressed requests are not supported (grpc-encoding ${encoding})`,
    };
  }
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) {
    return {
      code: GrpcStatus.INTERNAL,
      details: `message frame says ${length} bytes, the request has ${body.length - 5}`,
    };
  }
  return body.subarray(5);
}

/** grpc-message is percent-encoded: everything outside printable ASCII, and `%` itself. */
export function encodeGrpcMessage(text: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(text)) return text;
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Pings the peer every KEEPALIVE_INTERVAL_MS; a ping not answered in KEEPALIVE_TIMEOUT_MS ends the connection. */
async function keepAlive(connection: H2Connection, socket: net.Socket): Promise<void> {
  const alive = new AbortController();
  socket.once("close", () => alive.abort());
  const signal = alive.signal;
  for (;;) {
    try {
      await systemClock.sleep(KEEPALIVE_INTERVAL_MS, signal);
    } catch {
      return; // the connection closed
    }
    const timeout = new AbortController();
    const late = systemClock.sleep(KEEPALIVE_TIMEOUT_MS, AbortSignal.any([signal, timeout.signal])).then(
      () => false,
      () => true, // aborted: the connection closed, or the ping was answered
    );
    const ok = await Promise.race([connection.ping(), late]);
    timeout.abort();
    if (signal.aborted) return;
    if (!ok) {
      connection.destroy();
      return;
    }
  }
}

function splitHost(address: string): [string | undefined, number] {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return [host === "" ? undefined : host, Number(address.slice(colon + 1))];
}
