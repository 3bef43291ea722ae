// The client session against a raw HTTP/2 server written frame by frame, for what node:http2 servers cannot be made
// to do on cue: a zero stream window that holds a request's body back, and a GOAWAY that leaves one stream out.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { type ClientStreamListener, H2ClientSession } from "../src/http2/client-session.js";
import {
  ErrorCode,
  encodeHeaders,
  Flag,
  FRAME_HEADER_BYTES,
  FrameReader,
  FrameType,
  goAwayFrame,
  type HeaderList,
  headerFrames,
  pingFrame,
  SETTINGS_ACK,
  Setting,
  settingsFrame,
  windowUpdateFrame,
  writeFrameHeader,
} from "../src/http2/index.js";

interface Frame {
  type: number;
  flags: number;
  id: number;
  payload: Buffer;
}

/** A server that records the client's frames and lets the test answer by hand. */
class RawPeer {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  socket: Socket | undefined;

  constructor(readonly server: Server) {
    server.on("connection", (socket) => {
      this.socket = socket;
      const reader = new FrameReader("server");
      socket.on("data", (chunk: Buffer) =>
        reader.push(chunk, (type, flags, id, payload) => {
          this.frames.push({ type, flags, id, payload: Buffer.from(payload) });
          if (type === FrameType.SETTINGS && !(flags & Flag.ACK)) socket.write(SETTINGS_ACK);
          for (const wake of this.waiters.splice(0)) wake();
          return true;
        }),
      );
    });
  }

  /** Resolves once a frame matching `match` has arrived. */
  async frame(match: (frame: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  send(...frames: Buffer[]): void {
    this.socket?.write(Buffer.concat(frames));
  }

  /** A whole gRPC answer on a stream: headers, one framed message, trailers. */
  answer(id: number, message: Buffer): void {
    const data = Buffer.alloc(FRAME_HEADER_BYTES + 5 + message.length);
    writeFrameHeader(data, 0, 5 + message.length, FrameType.DATA, 0, id);
    data.writeUInt32BE(message.length, FRAME_HEADER_BYTES + 1);
    message.copy(data, FRAME_HEADER_BYTES + 5);
    this.send(
      headerFrames(
        id,
        encodeHeaders([
          [":status", "200"],
          ["content-type", "application/grpc"],
        ]),
        false,
        16_384,
      ),
      data,
      headerFrames(id, encodeHeaders([["grpc-status", "0"]]), true, 16_384),
    );
  }
}

/** What one stream heard. */
function recorder() {
  const heard = { headers: [] as HeaderList[], data: [] as Buffer[], closed: undefined as string | undefined };
  let done: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    done = resolve;
  });
  const listener: ClientStreamListener = {
    onHeaders(fields, endStream) {
      heard.headers.push(fields);
      if (endStream) done();
    },
    onData: (chunk) => heard.data.push(Buffer.from(chunk)),
    onClose(reason) {
      heard.closed = reason;
      done();
    },
  };
  return { heard, listener, ended };
}

const BLOCK = encodeHeaders([
  [":method", "POST"],
  [":scheme", "http"],
  [":path", "/proto.TriggerService/Watch"],
  [":authority", "localhost"],
]);
const BODY = Buffer.alloc(5);

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

async function start(): Promise<{ peer: RawPeer; session: H2ClientSession }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const peer = new RawPeer(server);
  const port = (server.address() as { port: number }).port;
  const session = new H2ClientSession(tcpConnect({ host: "127.0.0.1", port }));
  cleanup.push(() => {
    session.close();
    peer.socket?.destroy();
    server.close();
  });
  return { peer, session };
}

describe("H2ClientSession", () => {
  test("a request's body waits while the stream window is 0 and goes out with the WINDOW_UPDATE", async () => {
    const { peer, session } = await start();
    const first = recorder();
    session.request(BLOCK, BODY, first.listener);
    await peer.frame((f) => f.type === FrameType.DATA && f.id === 1);
    peer.send(settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 0]]));
    peer.answer(1, Buffer.from([0x12, 0x01, 0x61])); // details: "a"
    await first.ended;
    expect(first.heard.closed).toBeUndefined();
    expect(Buffer.concat(first.heard.data).subarray(5)).toEqual(Buffer.from([0x12, 0x01, 0x61]));

    // The SETTINGS came before the answer, so this stream starts with a window of 0: HEADERS only.
    const second = recorder();
    session.request(BLOCK, BODY, second.listener);
    await peer.frame((f) => f.type === FrameType.HEADERS && f.id === 3);
    // A PING's ACK comes after anything the client wrote before it: no DATA for stream 3 by then.
    peer.send(pingFrame(Buffer.from("12345678"), false));
    await peer.frame((f) => f.type === FrameType.PING && (f.flags & Flag.ACK) !== 0);
    expect(peer.frames.some((f) => f.type === FrameType.DATA && f.id === 3)).toBe(false);

    peer.send(windowUpdateFrame(3, 5));
    const data = await peer.frame((f) => f.type === FrameType.DATA && f.id === 3);
    expect(data.flags & Flag.END_STREAM).toBe(Flag.END_STREAM);
    expect(data.payload).toEqual(BODY);
    peer.answer(3, Buffer.alloc(0));
    await second.ended;
    expect(second.heard.closed).toBeUndefined();
  });

  test("GOAWAY fails the streams past its last stream id, lets the rest finish, then the session ends", async () => {
    const { peer, session } = await start();
    const first = recorder();
    const second = recorder();
    session.request(BLOCK, BODY, first.listener);
    session.request(BLOCK, BODY, second.listener);
    await peer.frame((f) => f.type === FrameType.DATA && f.id === 3);
    peer.send(goAwayFrame(1, ErrorCode.NO_ERROR, "draining"));
    await second.ended;
    expect(second.heard.closed).toMatch(/going away/);
    expect(session.usable).toBe(false);
    expect(() => session.request(BLOCK, BODY, recorder().listener)).toThrow(/closed/);

    peer.answer(1, Buffer.alloc(0));
    await first.ended;
    expect(first.heard.closed).toBeUndefined();
    // Nothing is left open: the session ends its connection.
    await new Promise<void>((resolve) => peer.socket?.once("close", () => resolve()));
  });

  test("a frame the client cannot accept ends the connection with GOAWAY and fails the open streams", async () => {
    const { peer, session } = await start();
    const open = recorder();
    session.request(BLOCK, BODY, open.listener);
    await peer.frame((f) => f.type === FrameType.DATA && f.id === 1);
    const push = Buffer.alloc(FRAME_HEADER_BYTES + 4);
    writeFrameHeader(push, 0, 4, FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1);
    peer.send(push);
    await open.ended;
    expect(open.heard.closed).toMatch(/PUSH_PROMISE/);
    const goAway = await peer.frame((f) => f.type === FrameType.GOAWAY);
    expect(goAway.payload.readUInt32BE(4)).toBe(ErrorCode.PROTOCOL_ERROR);
  });
});
