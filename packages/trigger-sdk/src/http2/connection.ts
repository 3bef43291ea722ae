// The server side of one HTTP/2 connection (RFC 9113) for unary request/response streams: preface and SETTINGS,
// HPACK-decoded request headers, flow control both ways, PING, RST_STREAM, GOAWAY. Frames this side sends while it
// handles one read are written together, once, at the end of that read; an answer given later is written at once.
import type { Socket } from "node:net";
import {
  ConnectionError,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FrameReader,
  FrameType,
  goAwayFrame,
  HeaderBlock,
  MAX_WINDOW,
  pingFrame,
  readSettings,
  rstStreamFrame,
  SETTINGS_ACK,
  Setting,
  settingsFrame,
  windowUpdateFrame,
} from "@gofer/kernel/http2";
import { RequestHeaders } from "./request-headers.js";
import { H2Stream, type StreamOwner } from "./stream.js";

/** The receive window this side offers per stream and per connection; credit goes back at half. */
const LOCAL_WINDOW = 1 << 20;
const MAX_HEADER_LIST_SIZE = 65_536;
const OUR_SETTINGS = settingsFrame([
  [Setting.INITIAL_WINDOW_SIZE, LOCAL_WINDOW],
  [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE],
]);
const PING_PAYLOAD = Buffer.from("goferpng", "latin1");

export interface ConnectionHandler {
  /** A request's headers arrived; set stream.listener to hear its body. */
  stream(stream: H2Stream): void;
  /** The connection is gone. */
  closed(connection: H2Connection): void;
}

export class H2Connection implements StreamOwner {
  peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  sendWindow = DEFAULT_WINDOW;
  /** The client's SETTINGS (and so its first requests) have arrived. */
  started = false;
  private peerInitialWindow = DEFAULT_WINDOW;
  private recvWindow = LOCAL_WINDOW;
  private recvUnacked = 0;
  private readonly streams = new Map<number, H2Stream>();
  private readonly blocked = new Set<H2Stream>();
  /** The highest stream this side processed (what a GOAWAY reports). */
  private lastStreamId = 0;
  /** The highest stream the client opened, processed or not (after a GOAWAY, newer ones are not). */
  private highestStreamId = 0;
  private readonly reader = new FrameReader();
  private readonly headerBlock = new HeaderBlock(MAX_HEADER_LIST_SIZE);
  private readonly requestHeaders = new RequestHeaders();
  private readonly out: Buffer[] = [];
  private holding = 0;
  private goneAway = false;
  /** end() was asked for while a read was being handled: it runs once that read's frames are written. */
  private endPending = false;
  private reported = false;
  private shutdownRequested = false;
  private peerGoneAway = false;
  private closed = false;
  private pingAnswered: ((ok: boolean) => void) | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ConnectionHandler,
  ) {
    socket.setNoDelay(true); // one small frame per call each way: Nagle would hold it behind the peer's delayed ACK
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => {}); // the close that follows cleans up
    socket.on("close", () => this.teardown());
    this.send(Buffer.concat([OUR_SETTINGS, windowUpdateFrame(0, LOCAL_WINDOW - DEFAULT_WINDOW)]));
  }

  /** Graceful end: GOAWAY once the client's first requests are in, then close when every open stream is answered. */
  shutdown(): void {
    this.shutdownRequested = true;
    if (this.started) this.goAway();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Sends a PING; resolves true when answered, false if the connection closes first. */
  ping(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.pingAnswered?.(true); // an older ping still waiting counts as answered by this one's ACK
      this.pingAnswered = resolve;
      this.send(pingFrame(PING_PAYLOAD, false));
    });
  }

  send(frame: Buffer): void {
    if (this.closed) return;
    if (this.holding > 0) this.out.push(frame);
    else this.socket.write(frame);
  }

  block(stream: H2Stream): void {
    this.blocked.add(stream);
  }

  answered(stream: H2Stream): void {
    this.blocked.delete(stream);
    if (!stream.remoteEnded) this.send(rstStreamFrame(stream.id, ErrorCode.NO_ERROR)); // stop the rest of its request
    this.retire(stream);
  }

  private retire(stream: H2Stream): void {
    this.streams.delete(stream.id);
    if ((this.goneAway || this.peerGoneAway) && this.streams.size === 0) this.end();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.holding++;
    try {
      this.parse(chunk);
      if (this.shutdownRequested && this.started && !this.goneAway) this.goAway();
    } catch (error) {
      const code = error instanceof ConnectionError ? error.code : ErrorCode.INTERNAL_ERROR;
      this.fail(code, error instanceof Error ? error.message : String(error));
    } finally {
      this.holding--;
      this.flushOut();
      if (this.endPending) this.end();
    }
  }

  private flushOut(): void {
    if (this.out.length === 0 || this.closed) return;
    const frames = this.out;
    this.socket.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
    frames.length = 0; // written: the array serves the next read (nothing is added while no read is being handled)
  }

  private parse(chunk: Buffer): void {
    this.reader.push(chunk, (type, flags, id, payload) => {
      if (!this.started && type !== FrameType.SETTINGS) {
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "the first frame is not SETTINGS");
      }
      this.frame(type, flags, id, payload);
      return !this.closed;
    });
  }

  private frame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.headerBlock.open && type !== FrameType.CONTINUATION) {
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "a header block was interrupted");
    }
    switch (type) {
      case FrameType.DATA:
        this.onData(flags, id, payload);
        return;
      case FrameType.HEADERS:
        this.onHeaders(flags, id, payload);
        return;
      case FrameType.PRIORITY:
        if (id === 0) throw protocolError("PRIORITY on stream 0");
        if (payload.length !== 5) this.send(rstStreamFrame(id, ErrorCode.FRAME_SIZE_ERROR));
        return; // priorities are advice; one unary answer per stream has nothing to order
      case FrameType.RST_STREAM:
        this.onReset(id, payload);
        return;
      case FrameType.SETTINGS:
        this.onSettings(flags, id, payload);
        return;
      case FrameType.PUSH_PROMISE:
        throw protocolError("a client sent PUSH_PROMISE");
      case FrameType.PING:
        if (id !== 0) throw protocolError("PING on a stream");
        if (payload.length !== 8) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "PING not 8 bytes");
        if (flags & Flag.ACK) {
          const answered = this.pingAnswered;
          this.pingAnswered = undefined;
          answered?.(true);
        } else {
          this.send(pingFrame(payload, true));
        }
        return;
      case FrameType.GOAWAY:
        if (id !== 0) throw protocolError("GOAWAY on a stream");
        this.peerGoneAway = true;
        if (this.streams.size === 0) this.end();
        return;
      case FrameType.WINDOW_UPDATE:
        this.onWindowUpdate(id, payload);
        return;
      case FrameType.CONTINUATION:
        if (this.headerBlock.add(flags, id, payload)) this.endHeaderBlock();
        return;
      default:
        return; // unknown frame types are ignored (RFC 9113 §4.1)
    }
  }

  private onData(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw protocolError("DATA on stream 0");
    if (payload.length > this.recvWindow) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "DATA past window");
    this.recvWindow -= payload.length;
    this.recvUnacked += payload.length;
    // Request bytes are consumed as they arrive (the layer above buffers or refuses them): credit goes back at once.
    if (this.recvUnacked >= LOCAL_WINDOW / 2) {
      this.send(windowUpdateFrame(0, this.recvUnacked));
      this.recvWindow += this.recvUnacked;
      this.recvUnacked = 0;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (id > this.highestStreamId) throw protocolError("DATA on an idle stream");
      return; // a stream this side answered or reset: the rest of its request is dropped
    }
    if (stream.remoteEnded) {
      this.resetStream(stream, ErrorCode.STREAM_CLOSED);
      return;
    }
    let data = payload;
    if (flags & Flag.PADDED) {
      const padding = payload[0] as number;
      if (padding >= payload.length) throw protocolError("padding longer than the frame");
      data = payload.subarray(1, payload.length - padding);
    }
    stream.recvUnacked += payload.length;
    if (stream.recvUnacked > LOCAL_WINDOW) {
      this.resetStream(stream, ErrorCode.FLOW_CONTROL_ERROR);
      return;
    }
    if (data.length > 0) stream.listener?.data(data);
    if (flags & Flag.END_STREAM) this.endRequest(stream);
    else if (stream.recvUnacked >= LOCAL_WINDOW / 2 && !stream.done) {
      this.send(windowUpdateFrame(id, stream.recvUnacked));
      stream.recvUnacked = 0;
    }
  }

  private onHeaders(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw protocolError("HEADERS on stream 0");
    if (this.headerBlock.start(flags, id, payload)) this.endHeaderBlock();
  }

  private endHeaderBlock(): void {
    const fields = this.headerBlock.take();
    const { id, endStream } = this.headerBlock;
    const existing = this.streams.get(id);
    if (existing !== undefined) {
      // Request trailers: allowed only as the request's end.
      if (!endStream || existing.remoteEnded) this.resetStream(existing, ErrorCode.PROTOCOL_ERROR);
      else this.endRequest(existing);
      return;
    }
    // A stream this side answered early and reset may still see the client's trailers: ignored (RFC 9113 §5.4.2).
    if (id <= this.highestStreamId) return;
    if (id % 2 === 0) throw protocolError("a client stream with an even id");
    this.highestStreamId = id;
    if (this.goneAway || this.peerGoneAway) return; // past our GOAWAY: not processed, as the GOAWAY said
    this.lastStreamId = id;
    const headers = this.requestHeaders.of(fields);
    if (headers === undefined) {
      this.send(rstStreamFrame(id, ErrorCode.PROTOCOL_ERROR)); // a malformed request (RFC 9113 §8.1.1)
      return;
    }
    const stream = new H2Stream(this, id, headers, this.peerInitialWindow);
    stream.remoteEnded = endStream;
    this.streams.set(id, stream);
    this.handler.stream(stream);
    if (endStream && !stream.done) stream.listener?.end();
  }

  private endRequest(stream: H2Stream): void {
    stream.remoteEnded = true;
    stream.listener?.end();
  }

  private onReset(id: number, payload: Buffer): void {
    if (id === 0) throw protocolError("RST_STREAM on stream 0");
    if (payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "RST_STREAM not 4 bytes");
    if (id > this.highestStreamId) throw protocolError("RST_STREAM on an idle stream");
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    stream.done = true;
    this.blocked.delete(stream);
    this.retire(stream);
    stream.listener?.aborted();
  }

  private onSettings(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) throw protocolError("SETTINGS on a stream");
    if (flags & Flag.ACK) {
      if (payload.length !== 0) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
      return;
    }
    const { initialWindow, maxFrameSize } = readSettings(payload);
    if (initialWindow !== undefined) {
      const delta = initialWindow - this.peerInitialWindow;
      this.peerInitialWindow = initialWindow;
      for (const stream of this.streams.values()) stream.sendWindow += delta;
    }
    if (maxFrameSize !== undefined) this.peerMaxFrameSize = maxFrameSize;
    this.send(SETTINGS_ACK);
    this.started = true;
    this.unblock();
  }

  private onWindowUpdate(id: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "WINDOW_UPDATE not 4 bytes");
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0) throw protocolError("WINDOW_UPDATE of 0");
      if (this.sendWindow + increment > MAX_WINDOW) {
        throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "connection window overflow");
      }
      this.sendWindow += increment;
    } else {
      const stream = this.streams.get(id);
      if (stream === undefined) return;
      if (increment === 0 || stream.sendWindow + increment > MAX_WINDOW) {
        this.resetStream(stream, increment === 0 ? ErrorCode.PROTOCOL_ERROR : ErrorCode.FLOW_CONTROL_ERROR);
        return;
      }
      stream.sendWindow += increment;
    }
    this.unblock();
  }

  private unblock(): void {
    for (const stream of [...this.blocked]) {
      this.blocked.delete(stream);
      stream.flush();
    }
  }

  /** Ends one stream with RST_STREAM; an unanswered call is cancelled. */
  private resetStream(stream: H2Stream, code: number): void {
    this.send(rstStreamFrame(stream.id, code));
    const wasAnswered = stream.done;
    stream.done = true;
    this.blocked.delete(stream);
    this.retire(stream);
    if (!wasAnswered) stream.listener?.aborted();
  }

  private goAway(): void {
    this.goneAway = true;
    this.send(goAwayFrame(this.lastStreamId, ErrorCode.NO_ERROR, ""));
    if (this.streams.size === 0) this.end();
  }

  /** A connection error: GOAWAY with its code, then the connection closes; its open calls are cancelled. */
  private fail(code: number, message: string): void {
    this.goneAway = true;
    this.out.push(goAwayFrame(this.lastStreamId, code, message));
    this.flushOut();
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    if (this.holding > 0) {
      this.endPending = true;
      return;
    }
    this.endPending = false;
    this.closed = true;
    this.socket.end(() => this.socket.destroy());
    this.teardown();
  }

  private teardown(): void {
    this.closed = true;
    const open = [...this.streams.values()];
    this.streams.clear();
    this.blocked.clear();
    for (const stream of open) {
      if (!stream.done) {
        stream.done = true;
        stream.listener?.aborted();
      }
    }
    this.pingAnswered?.(false);
    this.pingAnswered = undefined;
    if (!this.reported) {
      this.reported = true;
      this.handler.closed(this);
    }
  }
}

function protocolError(message: string): ConnectionError {
  return new ConnectionError(ErrorCode.PROTOCOL_ERROR, message);
}
