// One request stream on a server connection: the request's headers, its send window, and the answer's frames. A
// unary answer that fits the peer's windows and frame size leaves in one buffer (HEADERS, DATA, trailing HEADERS);
// one that does not is sent as the windows open.
import { Flag, FRAME_HEADER_BYTES, FrameType, headerFrames, writeFrameHeader } from "@gofer/kernel/http2";

/** What the layer above hears about a stream after its headers. */
export interface StreamListener {
  data(chunk: Buffer): void;
  /** The request is complete (END_STREAM). */
  end(): void;
  /** The stream ended before it was answered: the peer reset it, or the connection closed. */
  aborted(): void;
}

/** The connection side a stream uses to send and to retire. */
export interface StreamOwner {
  readonly peerMaxFrameSize: number;
  sendWindow: number;
  send(frame: Buffer): void;
  /** The stream can send no more until a WINDOW_UPDATE. */
  block(stream: H2Stream): void;
  /** The answer has left in full. */
  answered(stream: H2Stream): void;
}

export class H2Stream {
  listener: StreamListener | undefined;
  remoteEnded = false;
  /** No more frames go out on it: answered in full, or reset. */
  done = false;
  /** Request bytes received but not yet credited back to the peer. */
  recvUnacked = 0;
  private pendingBody: Uint8Array | undefined;
  private pendingAt = 0;
  private pendingTrailers: Buffer | undefined;

  constructor(
    private readonly owner: StreamOwner,
    readonly id: number,
    /** Header names and values as latin1 text; repeated fields joined with ", ". */
    readonly headers: Readonly<Record<string, string>>,
    public sendWindow: number,
  ) {}

  /** True once an answer has started (it may still be waiting for window). */
  get answering(): boolean {
    return this.done || this.pendingTrailers !== undefined;
  }

  /**
   * Answers with headers, one body and trailers (header blocks already HPACK-encoded). The body is prefix then body
   * (the gRPC message prefix apart, so the message needs no copy of its own); prefix is copied before this returns.
   */
  reply(headerBlock: Buffer, body: Uint8Array, trailerBlock: Buffer, prefix: Uint8Array = NO_PREFIX): void {
    if (this.answering) return;
    const owner = this.owner;
    const maxFrame = owner.peerMaxFrameSize;
    const bodyLength = prefix.length + body.length;
    const fits =
      bodyLength <= maxFrame &&
      bodyLength <= owner.sendWindow &&
      bodyLength <= this.sendWindow &&
      headerBlock.length <= maxFrame &&
      trailerBlock.length <= maxFrame;
    if (fits) {
      const out = Buffer.allocUnsafe(3 * FRAME_HEADER_BYTES + headerBlock.length + bodyLength + trailerBlock.length);
      let at = writeFrameHeader(out, 0, headerBlock.length, FrameType.HEADERS, Flag.END_HEADERS, this.id);
      out.set(headerBlock, at);
      at = writeFrameHeader(out, at + headerBlock.length, bodyLength, FrameType.DATA, 0, this.id);
      out.set(prefix, at);
      out.set(body, at + prefix.length);
      at = writeFrameHeader(out, at + bodyLength, trailerBlock.length, FrameType.HEADERS, END_ALL, this.id);
      out.set(trailerBlock, at);
      owner.sendWindow -= bodyLength;
      this.sendWindow -= bodyLength;
      owner.send(out);
      this.finish();
      return;
    }
    if (prefix.length > 0) body = Buffer.concat([prefix, body]);
    owner.send(headerFrames(this.id, headerBlock, false, maxFrame));
    this.pendingBody = body;
    this.pendingAt = 0;
    this.pendingTrailers = headerFrames(this.id, trailerBlock, true, maxFrame);
    this.flush();
  }

  /** Answers with headers alone, ending the stream (a gRPC trailers-only answer). */
  replyHeadersOnly(headerBlock: Buffer): void {
    if (this.answering) return;
    this.owner.send(headerFrames(this.id, headerBlock, true, this.owner.peerMaxFrameSize));
    this.finish();
  }

  /** Sends what the windows allow of a pending body, then the trailers once it is all out. */
  flush(): void {
    const body = this.pendingBody;
    if (body === undefined || this.done) return;
    const owner = this.owner;
    while (this.pendingAt < body.length) {
      const n = Math.min(body.length - this.pendingAt, owner.sendWindow, this.sendWindow, owner.peerMaxFrameSize);
      if (n <= 0) {
        owner.block(this);
        return;
      }
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      writeFrameHeader(header, 0, n, FrameType.DATA, 0, this.id);
      owner.send(header);
      owner.send(Buffer.from(body.buffer, body.byteOffset + this.pendingAt, n));
      this.pendingAt += n;
      owner.sendWindow -= n;
      this.sendWindow -= n;
    }
    owner.send(this.pendingTrailers as Buffer);
    this.pendingBody = undefined;
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.owner.answered(this);
  }
}

const END_ALL = Flag.END_HEADERS | Flag.END_STREAM;
const NO_PREFIX = new Uint8Array(0);
