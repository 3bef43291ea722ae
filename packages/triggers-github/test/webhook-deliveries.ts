// Recorded-style GitHub webhook deliveries for tests: the bodies in fixtures/ follow GitHub's documented payload
// shapes; the headers are the ones GitHub sends with each delivery (Hookshot user agent, delivery id, event name,
// hook id and installation target, signatures). signedDelivery builds the HTTP request exactly as it would reach
// Gofer's /external/<trigger>.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

export type FixtureEvent = "push" | "release" | "ping" | "check_suite" | "create";

/** The fixture body, byte for byte as stored. */
export function fixtureBody(event: FixtureEvent): Buffer {
  return readFileSync(new URL(`./fixtures/${event}.json`, import.meta.url));
}

export interface Delivery {
  headers: Array<[string, string]>;
  body: Buffer;
}

export function signedDelivery(
  event: FixtureEvent,
  secret: string,
  options: { deliveryId?: string; body?: Buffer; host?: string } = {},
): Delivery {
  const body = options.body ?? fixtureBody(event);
  const sha256 = createHmac("sha256", secret).update(body).digest("hex");
  const sha1 = createHmac("sha1", secret).update(body).digest("hex");
  return {
    headers: [
      ["Host", options.host ?? "localhost:8081"],
      ["User-Agent", "GitHub-Hookshot/6a3d1c5"],
      ["Content-Length", String(body.length)],
      ["Accept", "*/*"],
      ["Content-Type", "application/json"],
      ["X-GitHub-Delivery", options.deliveryId ?? "72d3162e-cc78-11e3-81ab-4c9367dc0958"],
      ["X-GitHub-Event", event],
      ["X-GitHub-Hook-ID", "109948940"],
      ["X-GitHub-Hook-Installation-Target-ID", "186853002"],
      ["X-GitHub-Hook-Installation-Target-Type", "repository"],
      ["X-Hub-Signature", `sha1=${sha1}`],
      ["X-Hub-Signature-256", `sha256=${sha256}`],
    ],
    body,
  };
}

/** The delivery as HTTP/1.1 bytes (what Gofer forwards to the trigger). */
export function deliveryBytes(path: string, delivery: Delivery): Buffer {
  const head = [`POST ${path} HTTP/1.1`, ...delivery.headers.map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
  return Buffer.concat([Buffer.from(head, "latin1"), delivery.body]);
}
