// The HTTP/2 server framing seen from real clients (node:http2's nghttp2, grpc-js) and from a raw socket speaking
// malformed HTTP/2: headers decode exactly, flow control holds large bodies, streams interleave, resets cancel,
// GOAWAY drains, and a bad peer loses only its own connection.
import * as http2 from "node:http2";
import * as net from "node:net";
import {
  ErrorCode,
  encodeHeaders,
  FrameType,
  PREFACE,
  SETTINGS_ACK,
  settingsFrame,
  writeFrameHeader,
} from "@gofer/kernel/http2";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, test } from "vitest";
import { H2Connection } from "../src/http2/connection.js";
import type { H2Stream } from "../src/http2/stream.js";

const OK = encodeHeaders([
  [":status", "200"],
  ["content-type", "application/grpc"],
]);
const TRAILERS = encodeHeaders([["grpc-status", "0"]]);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Served {
  port: number;
  connections: Set<H2Connection>;
}

/** A server whose streams go to onStream; the listener it sets hears the request. */
async function serve(onStream: (stream: H2Stream) => void): Promise<Served> {
  const connections = new Set<H2Connection>();
  const server = net.createServer((socket) => {
    connections.add(new H2Connection(socket, { stream: onStream, closed: (c) => connections.delete(c) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    for (const connection of connections) connection.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, connections };
}

/** Answers each request with its headers as JSON followed by its body, once the request ends (gRPC-framed for gRPC). */
function echo(stream: H2Stream): void {
  const grpcFramed = stream.headers["content-type"] === "application/grpc";
  const chunks: Buffer[] = [];
  stream.listener = {
    data: (chunk) => chunks.push(Buffer.from(chunk)),
    end: () => {
      const head = Buffer.from(JSON.stringify(stream.headers), "utf8");
      const body = Buffer.concat([lengthPrefix(head.length), head, ...chunks]);
      stream.reply(
        OK,
        grpcFramed ? Buffer.concat([Buffer.from([0]), lengthPrefix(body.length), body]) : body,
        TRAILERS,
      );
    },
    aborted: () => {},
  };
}

function lengthPrefix(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}

function connect(port: number, settings?: http2.Settings): http2.ClientHttp2Session {
  const client = http2.connect(`http://127.0.0.1:${port}`, { settings });
  cleanups.push(() => client.destroy());
  return client;
}

/** One request; resolves with the echoed headers and body. */
function request(
  client: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body: Buffer = Buffer.alloc(0),
): Promise<{ headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const stream = client.request({ ":method": "POST", ":path": "/t", ...headers });
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const all = Buffer.concat(chunks);
      const headLength = all.readUInt32BE(0);
      resolve({
        headers: JSON.parse(all.subarray(4, 4 + headLength).toString("utf8")),
        body: all.subarray(4 + headLength),
      });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

/** Deterministic pseudo-random bytes (the test must be repeatable). */
function randomText(seed: number, length: number, alphabet: string): string {
  let state = seed;
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const PRINTABLE = String.fromCharCode(...Array.from({ length: 95 }, (_, i) => 0x20 + i));
const BYTES_1_255 = String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1));

describe("the HTTP/2 server framing", () => {
  test("header values from node:http2 decode exactly: every byte 1-255, long random values, repeated (indexed)", async () => {
    const { port } = await serve(echo);
    const client = connect(port);
    const headers: Record<string, string> = { "x-every-byte": BYTES_1_255, "x-printable": PRINTABLE };
    for (let i = 0; i < 20; i++) headers[`x-random-${i}`] = randomText(i + 1, 50 + i * 97, i % 2 ? PRINTABLE : "abc0");
    // nghttp2 Huffman-codes a value only when that is shorter: forty 5-bit "0"s make it so whatever byte follows, so
    // each byte's own code (up to 30 bits) is exercised.
    for (let byte = 1; byte < 256; byte++) headers[`x-byte-${byte}`] = `${"0".repeat(40)}${String.fromCharCode(byte)}`;
    // nghttp2 sends a byte string as latin1; the three rounds go literal, then mostly from its dynamic table.
    for (let round = 0; round < 3; round++) {
      const echoed = await request(client, headers);
      for (const [name, value] of Object.entries(headers)) expect(echoed.headers[name], name).toBe(value);
    }
  });

  test("metadata from grpc-js decodes exactly, text and binary", async () => {
    const { port } = await serve(echo);
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const metadata = new grpc.Metadata();
    metadata.set("x-printable", PRINTABLE.trim());
    metadata.set("x-long", randomText(7, 3000, PRINTABLE).trim());
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    metadata.set("x-data-bin", binary);
    const answer = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        "/s/M",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from("hi"),
        metadata,
        (error, value) => (error ? reject(error) : resolve(value as Buffer)),
      ),
    );
    const headLength = answer.readUInt32BE(0);
    const echoed = JSON.parse(answer.subarray(4, 4 + headLength).toString("utf8"));
    expect(echoed["x-printable"]).toBe(PRINTABLE.trim());
    expect(echoed["x-long"]).toBe(randomText(7, 3000, PRINTABLE).trim());
    expect(Buffer.from(echoed["x-data-bin"], "base64")).toEqual(binary);
    expect(echoed[":path"]).toBe("/s/M");
  });

  test("flow control: a 1.5 MB request and a 300 KB answer through small windows and 16 KB frames", async () => {
    const { port } = await serve(echo);
    // The client's window for our answer: 1,000 bytes per stream, so the answer waits on its WINDOW_UPDATEs.
    const client = connect(port, { initialWindowSize: 1_000 });
    const big = Buffer.from(randomText(3, 1_500_000, PRINTABLE), "latin1");
    const echoed = await request(client, {}, big);
    expect(echoed.body.equals(big)).toBe(true);
    const second = await request(client, {}, big.subarray(0, 300_000));
    expect(second.body.equals(big.subarray(0, 300_000))).toBe(true);
  });

  test("200 concurrent streams on one connection, answered out of order, each get their own answer", async () => {
    const pending: (() => void)[] = [];
    const { port } = await serve((stream) => {
      stream.listener = {
        data: () => {},
        end: () => {
          pending.push(() => stream.reply(OK, Buffer.from(stream.headers["x-n"] as string), TRAILERS));
          if (pending.length === 200) for (const answer of pending.reverse()) answer();
        },
        aborted: () => {},
      };
    });
    const client = connect(port);
    const answers = await Promise.all(
      Array.from(
        { length: 200 },
        (_, n) =>
          new Promise<string>((resolve, reject) => {
            const stream = client.request({ ":method": "POST", ":path": "/t", "x-n": String(n) });
            let text = "";
            stream.on("data", (chunk: Buffer) => {
              text += chunk.toString();
            });
            stream.on("end", () => resolve(text));
            stream.on("error", reject);
            stream.end();
          }),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 200 }, (_, n) => String(n)));
  });

  test("RST_STREAM from the client cancels a parked call; its late answer is dropped and the connection serves on", async () => {
    const parked: H2Stream[] = [];
    let aborted = 0;
    const { port } = await serve((stream) => {
      if (stream.headers[":path"] !== "/park") return echo(stream);
      stream.listener = { data: () => {}, end: () => parked.push(stream), aborted: () => aborted++ };
    });
    const client = connect(port);
    const stream = client.request({ ":method": "POST", ":path": "/park" });
    stream.end();
    while (parked.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise((resolve) => stream.on("close", resolve));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await closed;
    while (aborted === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(parked[0]?.done).toBe(true);
    (parked[0] as H2Stream).reply(OK, Buffer.from("late"), TRAILERS); // dropped: nothing is written for it
    expect((await request(client, {}, Buffer.from("after"))).body.toString()).toBe("after");
  });

  test("GOAWAY on shutdown: the open call is still answered, then the connection closes", async () => {
    const parked: H2Stream[] = [];
    const { port, connections } = await serve((stream) => {
      stream.listener = { data: () => {}, end: () => parked.push(stream), aborted: () => {} };
    });
    const client = connect(port);
    const goaway = new Promise<number>((resolve) => client.on("goaway", (code) => resolve(code)));
    const stream = client.request({ ":method": "POST", ":path": "/park" });
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    const ended = new Promise((resolve) => stream.on("end", resolve));
    stream.end();
    while (parked.length === 0) await new Promise((resolve) => setImmediate(resolve));
    for (const connection of connections) connection.shutdown();
    expect(await goaway).toBe(ErrorCode.NO_ERROR);
    (parked[0] as H2Stream).reply(OK, Buffer.from("answered"), TRAILERS);
    await ended;
    expect(text).toBe("answered");
    await new Promise((resolve) => client.on("close", resolve));
    expect(connections.size).toBe(0);
  });

  test("after GOAWAY, a stream the client opened meanwhile is ignored, not a connection error", async () => {
    const answered: number[] = [];
    const { port, connections } = await serve((stream) => {
      stream.listener = {
        data: () => {},
        end: () => {
          answered.push(stream.id);
          stream.reply(OK, Buffer.from("ok"), TRAILERS);
        },
        aborted: () => {},
      };
    });
    const socket = net.connect(port, "127.0.0.1");
    cleanups.push(() => socket.destroy());
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    const request = encodeHeaders([
      [":method", "POST"],
      [":scheme", "http"],
      [":path", "/t"],
    ]);
    socket.write(Buffer.concat([PREFACE, settingsFrame([]), frame(FrameType.HEADERS, 0x4, 1, request)]));
    while (connections.size === 0 || received.length === 0) await new Promise((resolve) => setImmediate(resolve));
    for (const connection of connections) connection.shutdown();
    // Stream 3 crosses the GOAWAY (last stream 1): its headers and data are dropped; stream 1 then ends its request.
    socket.write(
      Buffer.concat([
        frame(FrameType.HEADERS, 0x4, 3, request),
        frame(FrameType.DATA, 0x1, 3, Buffer.from("x")),
        frame(FrameType.DATA, 0x1, 1, Buffer.from("y")),
      ]),
    );
    await closed;
    const all = Buffer.concat(received);
    expect(answered).toEqual([1]);
    expect(findFrame(all, FrameType.GOAWAY)?.readUInt32BE(0)).toBe(1);
    expect(findFrame(all, FrameType.GOAWAY)?.readUInt32BE(4)).toBe(ErrorCode.NO_ERROR);
    expect(all.includes(Buffer.from("ok"))).toBe(true);
  });

  test("padding, PRIORITY, unknown frame types and PING from a raw client: the request is read right, PING echoed", async () => {
    const { port } = await serve(echo);
    const socket = net.connect(port, "127.0.0.1");
    cleanups.push(() => socket.destroy());
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const block = encodeHeaders([
      [":method", "POST"],
      [":scheme", "http"],
      [":path", "/t"],
      ["x-k", "v"],
    ]);
    // HEADERS with PADDED (3 bytes of padding) and PRIORITY (5 bytes), then a padded DATA with END_STREAM.
    const headers = Buffer.concat([Buffer.from([3]), Buffer.from([0, 0, 0, 0, 16]), block, Buffer.alloc(3)]);
    const data = Buffer.concat([Buffer.from([4]), Buffer.from("body"), Buffer.alloc(4)]);
    socket.write(
      Buffer.concat([
        PREFACE,
        settingsFrame([]),
        frame(0xfa, 0, 0, Buffer.from("unknown")),
        frame(FrameType.PING, 0, 0, Buffer.from("12345678")),
        frame(FrameType.PRIORITY, 0, 1, Buffer.from([0, 0, 0, 0, 16])),
        frame(FrameType.HEADERS, 0x4 | 0x8 | 0x20, 1, headers),
        frame(FrameType.DATA, 0x1 | 0x8, 1, data),
      ]),
    );
    const done = () => findFrame(Buffer.concat(received), FrameType.DATA) !== undefined;
    while (!done()) await new Promise((resolve) => setImmediate(resolve));
    const all = Buffer.concat(received);
    const answer = findFrame(all, FrameType.DATA) as Buffer;
    const headLength = answer.readUInt32BE(0);
    expect(JSON.parse(answer.subarray(4, 4 + headLength).toString())["x-k"]).toBe("v");
    expect(answer.subarray(4 + headLength).toString()).toBe("body");
    expect(findFrame(all, FrameType.PING)?.toString()).toBe("12345678");
  });

  test.each([
    ["a garbage preface", () => Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), ErrorCode.PROTOCOL_ERROR],
    ["DATA on stream 0", () => frame(FrameType.DATA, 0, 0, Buffer.from("x")), ErrorCode.PROTOCOL_ERROR],
    ["a frame over 16 KB", () => frame(FrameType.DATA, 0, 1, Buffer.alloc(20_000)), ErrorCode.FRAME_SIZE_ERROR],
    ["a PING of 3 bytes", () => frame(FrameType.PING, 0, 0, Buffer.alloc(3)), ErrorCode.FRAME_SIZE_ERROR],
    ["a bad header block", () => frame(FrameType.HEADERS, 0x4, 1, Buffer.from([0x80])), ErrorCode.COMPRESSION_ERROR],
    ["CONTINUATION out of place", () => frame(FrameType.CONTINUATION, 0x4, 1, Buffer.from([0x82])), 1],
  ])("%s: GOAWAY with its code, that connection closed, others still served", async (_, bytes, code) => {
    const { port } = await serve(echo);
    const good = connect(port);
    expect((await request(good, {}, Buffer.from("before"))).body.toString()).toBe("before");
    const socket = net.connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    const payload = bytes();
    socket.write(payload[0] === 0x47 ? payload : Buffer.concat([PREFACE, settingsFrame([]), SETTINGS_ACK, payload]));
    await closed;
    const goaway = findFrame(Buffer.concat(received), FrameType.GOAWAY);
    expect(goaway?.readUInt32BE(4)).toBe(code);
    expect((await request(good, {}, Buffer.from("after"))).body.toString()).toBe("after");
  });
});

function frame(type: number, flags: number, id: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(9 + payload.length);
  writeFrameHeader(out, 0, payload.length, type, flags, id);
  payload.copy(out, 9);
  return out;
}

/** The payload of the first frame of a type in what the server sent. */
function findFrame(bytes: Buffer, type: number): Buffer | undefined {
  for (let at = 0; at + 9 <= bytes.length; ) {
    const length = bytes.readUIntBE(at, 3);
    if (bytes[at + 3] === type) return bytes.subarray(at + 9, at + 9 + length);
    at += 9 + length;
  }
  return undefined;
}
