// The client side of one HTTP/2 connection (RFC 9113) for short request/response streams, as a gRPC unary call
// uses them: preface and SETTINGS, a request's HEADERS and DATA in one write, HPACK-decoded response headers and
// trailers, flow control both ways, PING, RST_STREAM, GOAWAY. It does what node:http2's client does for such a call
// at a fraction of the CPU (no nghttp2 round trips, no stream objects, no async resources per request).
//
// It does not queue requests beyond the peer's MAX_CONCURRENT_STREAMS: a peer refuses such a stream with
// REFUSED_STREAM, and the caller sees the stream fail.
import type { Socket } from "node:net";
import { FrameReader } from "./frame-reader.js";
import {
  ConnectionError,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FRAME_HEADER_BYTES,
  FrameType,
  goAwayFrame,
  headerFrames,
  MAX_WINDOW,
  PREFACE,
  pingFrame,
  rstStreamFrame,
  SETTINGS_ACK,
  Setting,
  settingsFrame,
  windowUpdateFrame,
  writeFrameHeader,
} from "./frames.js";
import { HeaderBlock } from "./header-block.js";
import type { HeaderList } from "./hpack.js";
import { readSettings } from "./peer-settings.js";

/** What a request's caller hears, until its stream ends: by headers with endStream, or by onClose. */
export interface ClientStreamListener {
  /** Response headers, then trailers (endStream), or a trailers-only response (endStream at once). */
  onHeaders(fields: HeaderList, endStream: boolean): void;
  onData(chunk: Buffer): void;
  /** The stream ended without trailers: reset, refused, the connection lost, or DATA ended it. */
  onClose(reason: string): void;
}

/** The receive window this side offers per stream: a whole response fits, so no stream ever needs an update. */
const STREAM_WINDOW = (4 << 20) + DEFAULT_MAX_FRAME_SIZE;
/** The connection's receive window; credit goes back once half of it is used. */
const CONNECTION_WINDOW = 16 << 20;
const MAX_HEADER_LIST_SIZE = 65_536;
/** Past this, a new connection is dialled rather than running out of stream ids (2^31 − 1). */
const LAST_STREAM_ID = 2 ** 31 - 64;

const OPENING = Buffer.concat([
  PREFACE,
  settingsFrame([
    [Setting.ENABLE_PUSH, 0],
    [Setting.INITIAL_WINDOW_SIZE, STREAM_WINDOW],
    [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE],
  ]),
  windowUpdateFrame(0, CONNECTION_WINDOW - DEFAULT_WINDOW),
]);

/** An error code as RFC 9113 names it, with its number. */
function errorName(code: number): string {
  const name = Object.entries(ErrorCode).find(([, value]) => value === code)?.[0];
  return name ? `${name}, code ${code}` : `error code ${code}`;
}

interface OpenStream {
  listener: ClientStreamListener;
  /** Request body not yet sent for want of flow-control window. */
  pending: Buffer | undefined;
  sendWindow: number;
  headersSeen: boolean;
}

export class H2ClientSession {
  private readonly reader = new FrameReader("client");
  private readonly headers = new HeaderBlock(MAX_HEADER_LIST_SIZE);
  private readonly streams = new Map<number, OpenStream>();
  private nextId = 1;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private sendWindow = DEFAULT_WINDOW;
  private unacknowledged = 0;
  private goneAway = false;
  private ended = false;
  /** Whether the preface went out: with the first request, so a server sees both in one read. */
  private opened = false;

  /** socket: a connecting or connected socket (TLS already negotiating h2, or plaintext h2 with prior knowledge). */
  constructor(
    private readonly socket: Socket,
    private readonly onEnd: () => void = () => {},
  ) {
    socket.on("data", (chunk: Buffer) => this.read(chunk));
    socket.on("error", (error) => this.end(error.message));
    socket.on("close", () => this.end("the trigger closed the connection"));
  }

  /** Whether a new request may start here: not ended, not told to go away, stream ids left. */
  get usable(): boolean {
    return !this.ended && !this.goneAway && this.nextId < LAST_STREAM_ID;
  }

  /** Opens a stream: the header block, then the body with END_STREAM; returns the stream id. */
  request(block: Buffer, body: Buffer, listener: ClientStreamListener): number {
    if (!this.usable) throw new Error("HTTP/2 session is closed");
    const id = this.nextId;
    this.nextId += 2;
    const stream: OpenStream = { listener, pending: body, sendWindow: this.peerInitialWindow, headersSeen: false };
    this.streams.set(id, stream);
    const frames = [headerFrames(id, block, false, this.peerMaxFrameSize)];
    const data = this.dataFrame(id, stream);
    if (data) frames.push(data);
    if (!this.opened) frames.unshift(OPENING);
    this.opened = true;
    this.socket.write(Buffer.concat(frames));
    return id;
  }

  /** Ends a stream this side no longer wants (RST_STREAM CANCEL); its listener hears nothing more. */
  cancel(id: number): void {
    if (!this.streams.delete(id) || this.ended) return;
    this.socket.write(rstStreamFrame(id, ErrorCode.CANCEL));
    this.closeIfDone();
  }

  /** Sends GOAWAY and ends the connection once no stream is open (at once if none is). */
  close(): void {
    if (this.ended) return;
    if (!this.opened) {
      this.end("session closed");
      return;
    }
    if (!this.goneAway) this.socket.write(goAwayFrame(0, ErrorCode.NO_ERROR, ""));
    this.goneAway = true;
    this.closeIfDone();
  }

  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  /** The body's DATA frame when the windows allow all of it (a gRPC request here is a few bytes); else none yet. */
  private dataFrame(id: number, stream: OpenStream): Buffer | undefined {
    const body = stream.pending;
    if (!body || body.length > Math.min(this.sendWindow, stream.sendWindow, this.peerMaxFrameSize)) return undefined;
    stream.pending = undefined;
    this.sendWindow -= body.length;
    stream.sendWindow -= body.length;
    const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
    writeFrameHeader(out, 0, body.length, FrameType.DATA, Flag.END_STREAM, id);
    out.set(body, FRAME_HEADER_BYTES);
    return out;
  }

  private read(chunk: Buffer): void {
    try {
      this.reader.push(chunk, (type, flags, id, payload) => this.frame(type, flags, id, payload));
    } catch (error) {
      const code = error instanceof ConnectionError ? error.code : ErrorCode.INTERNAL_ERROR;
      if (!this.ended) this.socket.end(goAwayFrame(0, code, (error as Error).message));
      this.end(`HTTP/2 error from the trigger: ${(error as Error).message}`);
    }
  }

  private frame(type: number, flags: number, id: number, payload: Buffer): boolean {
    if (this.ended) return false;
    if (this.headers.open && type !== FrameType.CONTINUATION) {
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "a frame inside a header block");
    }
    switch (type) {
      case FrameType.DATA:
        this.data(flags, id, payload);
        break;
      case FrameType.HEADERS:
        if (this.headers.start(flags, id, payload)) this.headerBlock();
        break;
      case FrameType.CONTINUATION:
        if (this.headers.add(flags, id, payload)) this.headerBlock();
        break;
      case FrameType.RST_STREAM:
        if (payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "RST_STREAM not 4 bytes");
        this.closeStream(id, `stream reset by the trigger (HTTP/2 ${errorName(payload.readUInt32BE(0))})`);
        break;
      case FrameType.SETTINGS:
        if (id !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "SETTINGS on a stream");
        if (!(flags & Flag.ACK)) this.settings(payload);
        break;
      case FrameType.PING:
        if (payload.length !== 8) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "PING not 8 bytes");
        if (!(flags & Flag.ACK)) this.socket.write(pingFrame(payload, true));
        break;
      case FrameType.GOAWAY:
        this.goAway(payload);
        break;
      case FrameType.WINDOW_UPDATE:
        this.windowUpdate(id, payload);
        break;
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE, though push is disabled");
      default:
        break; // PRIORITY and unknown types are ignored (RFC 9113 §5.5)
    }
    return !this.ended;
  }

  private data(flags: number, id: number, payload: Buffer): void {
    // All DATA counts against the connection window, a cancelled stream's too.
    this.unacknowledged += payload.length;
    if (this.unacknowledged >= CONNECTION_WINDOW / 2) {
      this.socket.write(windowUpdateFrame(0, this.unacknowledged));
      this.unacknowledged = 0;
    }
    const stream = this.streams.get(id);
    if (!stream) return;
    let to = payload.length;
    let from = 0;
    if (flags & Flag.PADDED) {
      to -= payload[0] as number;
      from = 1;
    }
    if (from > to) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "DATA padding past the frame");
    if (!stream.headersSeen) {
      this.reset(id, ErrorCode.PROTOCOL_ERROR, "DATA before the response headers");
      return;
    }
    if (to > from) stream.listener.onData(payload.subarray(from, to));
    if (flags & Flag.END_STREAM) this.closeStream(id, "the trigger closed the stream without a status");
  }

  private headerBlock(): void {
    const fields = this.headers.take();
    const { id, endStream } = this.headers;
    const stream = this.streams.get(id);
    if (!stream) return; // decoded all the same: the HPACK table stays in step
    stream.headersSeen = true;
    if (endStream) this.streams.delete(id);
    stream.listener.onHeaders(fields, endStream);
    if (endStream) this.closeIfDone();
  }

  private settings(payload: Buffer): void {
    const settings = readSettings(payload);
    if (settings.maxFrameSize !== undefined) this.peerMaxFrameSize = settings.maxFrameSize;
    if (settings.initialWindow !== undefined) {
      const delta = settings.initialWindow - this.peerInitialWindow;
      this.peerInitialWindow = settings.initialWindow;
      for (const stream of this.streams.values()) stream.sendWindow += delta;
    }
    this.socket.write(SETTINGS_ACK);
    this.flushPending();
  }

  private windowUpdate(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "WINDOW_UPDATE not 4 bytes");
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0 || this.sendWindow + increment > MAX_WINDOW) {
        throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "bad connection WINDOW_UPDATE");
      }
      this.sendWindow += increment;
    } else {
      const stream = this.streams.get(id);
      if (!stream) return;
      stream.sendWindow += increment;
    }
    this.flushPending();
  }

  /** Sends the bodies that waited for window, in stream order. */
  private flushPending(): void {
    for (const [id, stream] of this.streams) {
      if (!stream.pending) continue;
      const data = this.dataFrame(id, stream);
      if (!data) return;
      this.socket.write(data);
    }
  }

  private goAway(payload: Buffer): void {
    if (payload.length < 8) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "GOAWAY under 8 bytes");
    const lastStreamId = payload.readUInt32BE(0) & 0x7fffffff;
    this.goneAway = true;
    // Streams past the last one the peer processed never ran: they fail, and a retry goes to a new connection.
    for (const id of [...this.streams.keys()]) {
      if (id > lastStreamId) this.closeStream(id, "the trigger is going away (GOAWAY)");
    }
    this.onEnd();
    this.closeIfDone();
  }

  /** Resets one stream on a protocol error of the peer's and fails it. */
  private reset(id: number, code: number, reason: string): void {
    this.socket.write(rstStreamFrame(id, code));
    this.closeStream(id, reason);
  }

  private closeStream(id: number, reason: string): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    this.streams.delete(id);
    stream.listener.onClose(reason);
    this.closeIfDone();
  }

  private closeIfDone(): void {
    if (this.goneAway && this.streams.size === 0 && !this.ended) {
      this.socket.end();
      this.end("session closed");
    }
  }

  /** The connection is over: every open stream fails with the reason. */
  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const open = [...this.streams.values()];
    this.streams.clear();
    for (const stream of open) stream.listener.onClose(reason);
    if (!this.socket.destroyed) this.socket.destroySoon();
    this.onEnd();
  }
}
