// What a trigger author gets for a webhook: the forwarded bytes parsed back into method, target, headers and body,
// and a signature check that accepts exactly the right HMAC.
import { createHmac } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, test } from "vitest";
import {
  type ExternalEvent,
  ExternalEventParseError,
  parseExternalEvent,
  signHmacSha256,
  startTestTrigger,
  verifyHmacSha256,
} from "../src/index.js";

const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 91) % 256));

function wire(head: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

describe("parseExternalEvent", () => {
  test("gives back the method, target, headers in order and case (repeats kept) and the exact body bytes", () => {
    const payload = wire(
      `POST /external/github?a=1 HTTP/1.1\r\nhost: x\r\nX-GitHub-EVENT: push\r\nX-Rep: 1\r\nX-Rep: 2\r\nContent-Length: ${binary.length}\r\n\r\n`,
      binary,
    );
    const event = parseExternalEvent(payload);
    expect(event.method).toBe("POST");
    expect(event.target).toBe("/external/github?a=1");
    expect(event.path).toBe("/external/github");
    expect(event.headers).toEqual([
      ["host", "x"],
      ["X-GitHub-EVENT", "push"],
      ["X-Rep", "1"],
      ["X-Rep", "2"],
      ["Content-Length", String(binary.length)],
    ]);
    expect(event.header("x-github-event")).toBe("push");
    expect(event.headerValues("x-rep")).toEqual(["1", "2"]);
    expect(event.header("missing")).toBeUndefined();
    expect(event.body.equals(binary)).toBe(true);
    expect(event.raw.equals(payload)).toBe(true);
  });

  test("decodes a chunked body", () => {
    const event = parseExternalEvent(
      wire(
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n",
        Buffer.alloc(0),
      ),
    );
    expect(event.body.toString()).toBe("abcde");
  });

  test("refuses what is not an HTTP request, naming what is wrong", () => {
    expect(() => parseExternalEvent(Buffer.from("hello"))).toThrow(
      new ExternalEventParseError("payload has no request line"),
    );
    expect(() => parseExternalEvent(Buffer.from("hello there\r\n\r\n"))).toThrow(
      'payload does not start with an HTTP request line: "hello there"',
    );
    expect(() => parseExternalEvent(Buffer.from("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"))).toThrow(
      "Content-Length is 10 but only 3 body bytes follow",
    );
  });
});

describe("verifyHmacSha256", () => {
  const secret = "It's a Secret to Everybody";
  const body = "Hello, World!";
  // GitHub's documented example pair for this secret and payload.
  const github = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  test("accepts GitHub's X-Hub-Signature-256 for the body and refuses any other", () => {
    expect(verifyHmacSha256(secret, body, github)).toBe(true);
    expect(verifyHmacSha256(secret, body, github.toUpperCase().replace("SHA256=", "sha256="))).toBe(true);
    expect(verifyHmacSha256(secret, `${body} `, github)).toBe(false);
    expect(verifyHmacSha256("another secret", body, github)).toBe(false);
    expect(verifyHmacSha256(secret, body, undefined)).toBe(false);
    expect(verifyHmacSha256(secret, body, "sha1=757107ea0eb2509fc211221cce984b8a37570b6d")).toBe(false);
    expect(verifyHmacSha256(secret, body, "sha256=1234")).toBe(false);
    expect(signHmacSha256(secret, body)).toBe(github);
  });

  test("has a generic form: a bare digest, hex or base64", () => {
    const digest = createHmac("sha256", secret).update(binary).digest();
    expect(verifyHmacSha256(secret, binary, digest.toString("hex"), { prefix: "" })).toBe(true);
    expect(verifyHmacSha256(secret, binary, digest.toString("base64"), { prefix: "", encoding: "base64" })).toBe(true);
    expect(verifyHmacSha256(secret, binary, digest.toString("base64"), { prefix: "" })).toBe(false);
  });
});

describe("a trigger's externalEvent handler", () => {
  test("gets the parsed webhook; a refusal reaches Gofer as INVALID_ARGUMENT with the trigger's message", async () => {
    const received: ExternalEvent[] = [];
    const trigger = await startTestTrigger(() => ({
      documentation: "x",
      subscribe() {},
      externalEvent(event) {
        if (event.header("X-Refuse")) throw new Error("signature does not match");
        received.push(event);
      },
    }));
    try {
      const payload = wire(`POST /external/t HTTP/1.1\r\nContent-Length: ${binary.length}\r\n\r\n`, binary);
      await trigger.client.externalEvent({ payload });
      expect(received[0]?.body.equals(binary)).toBe(true);
      await expect(
        trigger.client.externalEvent({ payload: Buffer.from("POST / HTTP/1.1\r\nX-Refuse: 1\r\n\r\n") }),
      ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "signature does not match" });
      await expect(trigger.client.externalEvent({ payload: Buffer.from("nonsense") })).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: "payload has no request line",
      });
    } finally {
      await trigger.close();
    }
  });
});
