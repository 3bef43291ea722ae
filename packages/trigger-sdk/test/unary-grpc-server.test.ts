// The lean server's side of the gRPC HTTP/2 protocol, seen from a raw HTTP/2 client: what grpc-js or Go clients rely
// on when a call is unknown, not gRPC, or has a deadline.
import * as http2 from "node:http2";
import { systemClock } from "@gofer/kernel/clock";
import { afterEach, describe, expect, test } from "vitest";
import { GrpcStatus } from "../src/grpc-status.js";
import {
  encodeGrpcMessage,
  startUnaryGrpcServer,
  type UnaryGrpcServer,
  type UnaryHandler,
} from "../src/unary-grpc-server.js";

let server: UnaryGrpcServer | undefined;
let client: http2.ClientHttp2Session | undefined;
afterEach(async () => {
  client?.close();
  await server?.close(1_000, systemClock);
  server = undefined;
  client = undefined;
});

/** One call; resolves with the merged headers and trailers. */
function call(headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, unknown> = {};
    const stream = (client as http2.ClientHttp2Session).request({ ":method": "POST", ...headers });
    stream.on("response", (h) => Object.assign(fields, h));
    stream.on("trailers", (t) => Object.assign(fields, t));
    stream.on("data", () => {});
    stream.on("close", () => resolve(fields));
    stream.on("error", reject);
    stream.end(body);
  });
}

const EMPTY_MESSAGE = Buffer.alloc(5);
const grpc = { "content-type": "application/grpc", authorization: "Bearer k" };

async function start(handler: Parameters<typeof startUnaryGrpcServer>[0]["methods"]) {
  server = await startUnaryGrpcServer({
    host: "127.0.0.1:0",
    tls: null,
    methods: handler,
    authorize: (value) => (value === "Bearer k" ? undefined : { code: GrpcStatus.UNAUTHENTICATED, details: "no" }),
  });
  client = http2.connect(`http://127.0.0.1:${server.port}`);
}

describe("the unary gRPC server", () => {
  test("an unknown method is UNIMPLEMENTED, naming the path", async () => {
    await start(new Map());
    const fields = await call({ ":path": "/proto.TriggerService/Nope", ...grpc }, EMPTY_MESSAGE);
    expect([fields["grpc-status"], fields["grpc-message"]]).toEqual([
      String(GrpcStatus.UNIMPLEMENTED),
      "The server does not implement the method /proto.TriggerService/Nope",
    ]);
  });

  test("a request that is not gRPC gets HTTP 415", async () => {
    await start(new Map([["/s/M", async () => new Uint8Array()]]));
    const fields = await call({ ":path": "/s/M", "content-type": "application/json" }, Buffer.from("{}"));
    expect(fields[":status"]).toBe(415);
  });

  test("a refused call never reaches its handler", async () => {
    let calls = 0;
    const handler = async () => {
      calls++;
      return new Uint8Array();
    };
    await start(new Map([["/s/M", handler]]));
    const fields = await call({ ":path": "/s/M", "content-type": "application/grpc" }, EMPTY_MESSAGE);
    expect([fields["grpc-status"], calls]).toEqual([String(GrpcStatus.UNAUTHENTICATED), 0]);
  });

  test("a call past its grpc-timeout ends DEADLINE_EXCEEDED and its handler's signal aborts", async () => {
    let aborted = false;
    await start(
      new Map([
        [
          "/s/Park",
          (_request, unary) =>
            new Promise<undefined>((resolve) =>
              unary.signal.addEventListener("abort", () => {
                aborted = true;
                resolve(undefined);
              }),
            ),
        ],
      ]),
    );
    const fields = await call({ ":path": "/s/Park", "grpc-timeout": "50m", ...grpc }, EMPTY_MESSAGE);
    expect([fields["grpc-status"], fields["grpc-message"], aborted]).toEqual([
      String(GrpcStatus.DEADLINE_EXCEEDED),
      "Deadline exceeded",
      true,
    ]);
  });

  test("an answer is one framed message with grpc-status 0 in the trailers", async () => {
    await start(new Map([["/s/Echo", async (request) => request]]));
    const chunks: Buffer[] = [];
    const stream = (client as http2.ClientHttp2Session).request({ ":method": "POST", ":path": "/s/Echo", ...grpc });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on("trailers", resolve));
    stream.end(Buffer.from([0, 0, 0, 0, 2, 8, 1]));
    expect((await trailers)["grpc-status"]).toBe("0");
    expect([...Buffer.concat(chunks)]).toEqual([0, 0, 0, 0, 2, 8, 1]);
  });

  test("a handler may answer without a promise, and its synchronous throw ends the call with its code", async () => {
    const refusal = Object.assign(new Error("no such thing"), { code: GrpcStatus.NOT_FOUND });
    await start(
      new Map<string, UnaryHandler>([
        ["/s/Now", () => new Uint8Array([8, 1])],
        [
          "/s/Refuse",
          () => {
            throw refusal;
          },
        ],
      ]),
    );
    const chunks: Buffer[] = [];
    const stream = (client as http2.ClientHttp2Session).request({ ":method": "POST", ":path": "/s/Now", ...grpc });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on("trailers", resolve));
    stream.end(EMPTY_MESSAGE);
    expect((await trailers)["grpc-status"]).toBe("0");
    expect([...Buffer.concat(chunks)]).toEqual([0, 0, 0, 0, 2, 8, 1]);
    const refused = await call({ ":path": "/s/Refuse", ...grpc }, EMPTY_MESSAGE);
    expect([refused["grpc-status"], refused["grpc-message"]]).toEqual([String(GrpcStatus.NOT_FOUND), "no such thing"]);
  });

  test("grpc-message is percent-encoded outside printable ASCII", () => {
    expect(encodeGrpcMessage("plain text")).toBe("plain text");
    expect(encodeGrpcMessage("100% née\n")).toBe("100%25 n%C3%A9e%0A");
  });
});
