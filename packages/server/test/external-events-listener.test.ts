// The webhook listener on its own, with a fake trigger table: what a sender sees (status codes and the original's
// JSON bodies), and that the bytes a trigger receives are exactly the bytes that were sent.
import { connect } from "node:tls";
import { generateCertificate, systemClock } from "@gofer/kernel";
import { afterEach, describe, expect, test } from "vitest";
import {
  type ExternalEventsServerOptions,
  type RunningExternalEventsServer,
  startExternalEventsServer,
} from "../src/external/external-events-server.js";
import { toWireBytes } from "../src/external/http-wire.js";
import { createServerLogger } from "../src/logging.js";

const tls = await generateCertificate({ hosts: ["localhost", "127.0.0.1"] });
const logger = createServerLogger({ level: "error", pretty: false });

interface Fake {
  payloads: Buffer[];
  recorded: Array<Record<string, unknown>>;
  fail: boolean;
  running: boolean;
  ingress: boolean;
  /** Holds each forward until released (concurrency tests). */
  hold?: Promise<void>;
  active: number;
  maxActive: number;
}

let server: RunningExternalEventsServer | undefined;
afterEach(async () => {
  await server?.stop(1_000);
  server = undefined;
});

async function start(overrides: Partial<ExternalEventsServerOptions> = {}): Promise<Fake> {
  const fake: Fake = { payloads: [], recorded: [], fail: false, running: true, ingress: true, active: 0, maxActive: 0 };
  server = await startExternalEventsServer({
    host: "127.0.0.1:0",
    tls,
    maxBodyBytes: 1024 * 1024,
    maxConcurrentPerTrigger: 8,
    maxWaitingPerTrigger: 256,
    targets: {
      isInstalled: async (name) => name === "github",
      connection: () =>
        fake.running
          ? {
              client: {
                externalEvent: async (payload: Uint8Array) => {
                  fake.active += 1;
                  fake.maxActive = Math.max(fake.maxActive, fake.active);
                  try {
                    await fake.hold;
                    if (fake.fail) throw new Error("14 UNAVAILABLE: No connection established");
                    fake.payloads.push(Buffer.from(payload));
                  } finally {
                    fake.active -= 1;
                  }
                },
              },
            }
          : { unavailable: 'trigger "github" is not running (state EXITED)' },
    },
    ingressEnabled: () => fake.ingress,
    record: async (details) => {
      fake.recorded.push(details);
    },
    clock: systemClock,
    logger,
    ...overrides,
  });
  return fake;
}

/** Sends raw bytes over TLS and reads the raw answer until the server closes or a full answer arrived. */
function send(raw: Buffer | string): Promise<{ status: number; body: string; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: server?.port ?? 0, ca: tls.certPem, servername: "localhost" });
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return false;
      const head = text.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? "0");
      const body = text.slice(end + 4);
      if (body.length < length) return false;
      socket.destroy();
      resolve({ status: Number(head.split(" ")[1]), body: body.slice(0, length), head });
      return true;
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      finish();
    });
    socket.on("error", (error) => {
      if (!finish()) reject(error);
    });
    socket.on("close", () => {
      if (!finish()) reject(new Error(`connection closed: ${Buffer.concat(chunks).toString("latin1")}`));
    });
    socket.on("secureConnect", () => socket.write(typeof raw === "string" ? Buffer.from(raw, "latin1") : raw));
  });
}

function post(path: string, headers: Array<[string, string]>, body: Buffer): Buffer {
  const head = [`POST ${path} HTTP/1.1`, ...headers.map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

describe("the external events listener", () => {
  test("forwards the request line, every header in its order and case (repeats too) and a binary body byte for byte", async () => {
    const fake = await start();
    const body = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) % 256));
    const raw = post(
      "/external/github?x=1&y=%20",
      [
        ["host", "localhost"],
        ["X-GitHub-Event", "push"],
        ["x-hub-SIGNATURE-256", "sha256=abc"],
        ["X-Repeated", "one"],
        ["Content-Type", "application/octet-stream"],
        ["X-Repeated", "two"],
        ["X-Latin1", "caf\u00e9"],
        ["Content-Length", String(body.length)],
      ],
      body,
    );
    const answer = await send(raw);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("");
    expect(fake.payloads).toHaveLength(1);
    expect(fake.payloads[0]?.equals(raw)).toBe(true);
  });

  test("a chunked body reaches the trigger as one chunk, so the headers still describe the bytes", async () => {
    const fake = await start();
    const raw = [
      "POST /external/github HTTP/1.1",
      "Host: localhost",
      "Transfer-Encoding: chunked",
      "",
      "3",
      "abc",
      "4",
      "\u0000\u00ff\r\n",
      "0",
      "",
      "",
    ].join("\r\n");
    expect((await send(raw)).status).toBe(200);
    expect(fake.payloads[0]?.toString("latin1")).toBe(
      "POST /external/github HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nabc\u0000\u00ff\r\n\r\n0\r\n\r\n",
    );
  });

  test("answers 400 with the original's body for a trigger that is not installed", async () => {
    const fake = await start();
    const answer = await send(
      post(
        "/external/gitlab",
        [
          ["Host", "x"],
          ["Content-Length", "2"],
        ],
        Buffer.from("{}"),
      ),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('{"err":"trigger \\"gitlab\\" does not exist"}\n');
    expect(fake.payloads).toEqual([]);
    expect(fake.recorded).toEqual([]);
  });

  test("answers 500 'could not connect to trigger' when the trigger is not running or its ExternalEvent fails", async () => {
    const fake = await start();
    fake.running = false;
    const request = post(
      "/external/github",
      [
        ["Host", "x"],
        ["Content-Length", "2"],
      ],
      Buffer.from("{}"),
    );
    const stopped = await send(request);
    expect(stopped.status).toBe(500);
    expect(stopped.body).toBe('{"err":"could not connect to trigger"}\n');
    fake.running = true;
    fake.fail = true;
    const failing = await send(request);
    expect(failing.status).toBe(500);
    expect(failing.body).toBe('{"err":"could not connect to trigger"}\n');
  });

  test("refuses a body over max_body_size with 413, by its declared length or as it streams", async () => {
    const fake = await start({ maxBodyBytes: 100 });
    const declared = await send(
      post(
        "/external/github",
        [
          ["Host", "x"],
          ["Content-Length", "101"],
        ],
        Buffer.alloc(0),
      ),
    );
    expect(declared.status).toBe(413);
    expect(declared.body).toBe('{"err":"request body is larger than 100 bytes (external_events_api.max_body_size)"}\n');
    const chunk = `${(150).toString(16)}\r\n${"a".repeat(150)}\r\n`;
    const streamed = await send(
      `POST /external/github HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}0\r\n\r\n`,
    );
    expect(streamed.status).toBe(413);
    const exact = await send(
      post(
        "/external/github",
        [
          ["Host", "x"],
          ["Content-Length", "100"],
        ],
        Buffer.alloc(100),
      ),
    );
    expect(exact.status).toBe(200);
    expect(fake.payloads).toHaveLength(1);
  });

  test("answers 503 while event ingress is off, and forwards nothing", async () => {
    const fake = await start();
    fake.ingress = false;
    const answer = await send(
      post(
        "/external/github",
        [
          ["Host", "x"],
          ["Content-Length", "0"],
        ],
        Buffer.alloc(0),
      ),
    );
    expect(answer.status).toBe(503);
    expect(answer.body).toBe(
      '{"err":"event ingress is turned off (gofer service toggle-event-ingress); the webhook was not forwarded"}\n',
    );
    expect(fake.payloads).toEqual([]);
  });

  test("other paths are 404 and other methods 405", async () => {
    await start();
    expect((await send("POST /events/github HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")).status).toBe(404);
    const get = await send("GET /external/github HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(get.status).toBe(405);
    expect(get.head).toMatch(/\r\nAllow: POST/i);
  });

  test("records each forwarded webhook's headers but not its body, with credentials redacted", async () => {
    const fake = await start();
    await send(
      post(
        "/external/github",
        [
          ["Host", "x"],
          ["X-GitHub-Delivery", "d-1"],
          ["Authorization", "Bearer s3cret"],
          ["X-Gitlab-Token", "s3cret"],
          ["Content-Length", "11"],
        ],
        Buffer.from("hello world"),
      ),
    );
    expect(fake.recorded).toEqual([
      {
        name: "github",
        method: "POST",
        path: "/external/github",
        headers: [
          ["Host", "x"],
          ["X-GitHub-Delivery", "d-1"],
          ["Authorization", "[redacted]"],
          ["X-Gitlab-Token", "[redacted]"],
          ["Content-Length", "11"],
        ],
        body_bytes: 11,
      },
    ]);
    expect(JSON.stringify(fake.recorded)).not.toContain("hello world");
  });

  test("forwards at most max_concurrent_per_trigger webhooks at once and refuses with 429 beyond the waiting bound", async () => {
    const fake = await start({ maxConcurrentPerTrigger: 2, maxWaitingPerTrigger: 1 });
    let release!: () => void;
    fake.hold = new Promise((r) => {
      release = r;
    });
    const request = post(
      "/external/github",
      [
        ["Host", "x"],
        ["Content-Length", "0"],
      ],
      Buffer.alloc(0),
    );
    const first = [send(request), send(request), send(request)];
    await expect.poll(() => fake.active).toBe(2);
    const refused = await send(request);
    expect(refused.status).toBe(429);
    expect(refused.head).toMatch(/\r\nRetry-After: 1/i);
    release();
    expect((await Promise.all(first)).map((a) => a.status)).toEqual([200, 200, 200]);
    expect(fake.maxActive).toBe(2);
  });

  test("a request whose body stalls is cut off after the timeout, and nothing is forwarded", async () => {
    const fake = await start({ timeoutMs: 300 });
    const stalled = send(
      post(
        "/external/github",
        [
          ["Host", "x"],
          ["Content-Length", "10"],
        ],
        Buffer.from("abc"),
      ),
    );
    // Node's request timeout either answers 408 or just closes, depending on which of its checks sees the stall first.
    const outcome = await stalled.then(
      (answer) => `answered ${answer.status}`,
      (error: Error) => error.message,
    );
    expect(["answered 408", "connection closed: "]).toContain(outcome);
    expect(fake.payloads).toEqual([]);
    expect(fake.recorded).toEqual([]);
  });

  test("the wire bytes of a request Node parsed equal what was sent", () => {
    const bytes = toWireBytes({
      method: "POST",
      url: "/external/a",
      rawHeaders: ["A", "1", "a", "2"],
      body: Buffer.from([0, 1, 2]),
    });
    expect(
      bytes.equals(Buffer.from("POST /external/a HTTP/1.1\r\nA: 1\r\na: 2\r\n\r\n\u0000\u0001\u0002", "latin1")),
    ).toBe(true);
  });
});
