// Webhooks end to end: a real server (process engine, TLS) with the github trigger installed as a user would
// (`gofer trigger install github … -c WEBHOOK_SECRET=…`), GitHub-shaped deliveries POSTed over HTTPS to
// /external/github, and the runs they start. Also: the bytes a trigger (v0.4) and an extension (v0.5) receive are the
// bytes that were sent.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { type Event, type Run, Run_RunState } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import winston from "winston";
import { deliveryBytes, signedDelivery } from "../../triggers-github/test/webhook-deliveries.js";
import { startTestServer, type TestServer } from "./server-harness.js";

const SECRET = "It's a Secret to Everybody";
const WAIT = { timeout: 30_000, interval: 100 };
const RECORDING_TRIGGER = fileURLToPath(new URL("./fixtures/recording-trigger.ts", import.meta.url));
const EXTENSION = fileURLToPath(new URL("./fixtures/test-extension.ts", import.meta.url));

let s: TestServer;
const logLines: Array<Record<string, unknown>> = [];
const recordDir = mkdtempSync(join(tmpdir(), "gofer-webhooks-"));
const extensionDir = mkdtempSync(join(tmpdir(), "gofer-webhooks-ext-"));

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const logger = winston.createLogger({
    level: "info",
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream: sink })],
  });
  s = await startTestServer({
    logger,
    // Also the level triggers log at (GOFER_PLUGIN_SYSTEM_LOG_LEVEL): their refusals are warnings.
    logLevel: "info",
    set: {
      "external_events_api.max_body_size": 64 * 1024,
      "triggers.image_map": JSON.stringify({
        "test/recording-trigger:latest": [process.execPath, "--import", "tsx", RECORDING_TRIGGER],
        "test/extension:latest": [process.execPath, "--import", "tsx", EXTENSION],
      }),
    },
  });
  // As `gofer trigger install github ghcr.io/clintjedwards/gofer/triggers/github:latest -c WEBHOOK_SECRET=…`.
  await s.api.installTrigger({
    name: "github",
    image: "ghcr.io/clintjedwards/gofer/triggers/github:latest",
    user: "",
    pass: "",
    variables: { WEBHOOK_SECRET: SECRET },
  });
  await s.api.createPipeline({
    namespaceId: "default",
    pipelineConfig: {
      id: "build",
      name: "build",
      description: "",
      parallelism: 0n,
      tasks: [
        {
          task: {
            $case: "customTask",
            value: {
              id: "show",
              description: "",
              image: "gofer-task-test:latest",
              registryAuth: undefined,
              dependsOn: {},
              variables: {},
              entrypoint: [],
              command: [
                "sh",
                "-c",
                'echo "$GOFER_TRIGGER_GITHUB_REF $GOFER_TRIGGER_GITHUB_HEAD_COMMIT_ID $GOFER_TRIGGER_GITHUB_RELEASE_TAG_NAME"',
              ],
            },
          },
        },
      ],
      triggers: [
        { name: "github", label: "repo", settings: { EVENTS: "push,release", REPOSITORY: "octo-org/hello-world" } },
      ],
    },
  });
}, 60_000);
afterAll(() => s?.destroy());

/** POSTs raw bytes over TLS to the external events endpoint; resolves with the status and body of the answer. */
function send(raw: Buffer): Promise<{ status: number; body: string }> {
  const [, port] = (s.server.externalEventsAddress ?? "").split(":");
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: "127.0.0.1",
      port: Number(port),
      ca: s.server.apiCertPem ?? "",
      servername: "localhost",
    });
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return false;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? "0");
      if (text.length - end - 4 < length) return false;
      socket.destroy();
      resolve({ status: Number(text.split(" ")[1]), body: text.slice(end + 4, end + 4 + length) });
      return true;
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      done();
    });
    socket.on("error", (error) => done() || reject(error));
    socket.on("close", () => done() || reject(new Error("closed without an answer")));
    socket.on("secureConnect", () => socket.write(raw));
  });
}

async function runs(): Promise<Run[]> {
  return (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId: "build" })).runs;
}

async function taskOutput(runId: bigint): Promise<string> {
  await vi.waitFor(async () => {
    const run = (await s.api.getRun({ namespaceId: "default", pipelineId: "build", id: runId })).run;
    expect(run?.state).toBe(Run_RunState.COMPLETE);
  }, WAIT);
  const lines: string[] = [];
  const stream = s.client.getTaskRunLogs(
    { namespaceId: "default", pipelineId: "build", runId, id: "show" },
    new grpc.Metadata(),
    { deadline: new Date(Date.now() + 10_000) },
  );
  for await (const item of stream) lines.push(item.logLine);
  return lines.join("\n");
}

async function events(): Promise<Array<{ kind: string; details: Record<string, unknown> }>> {
  const out: Event[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false })) out.push(item.event as Event);
  return out.map((e) => ({ kind: e.kind, details: JSON.parse(e.details) as Record<string, unknown> }));
}

describe("GitHub webhooks through /external/github", () => {
  test("a signed push starts a run whose task sees the push's metadata, recorded as an EXTERNAL_EVENT first", async () => {
    const answer = await send(
      deliveryBytes("/external/github", signedDelivery("push", SECRET, { deliveryId: "push-1" })),
    );
    expect(answer).toEqual({ status: 200, body: "" });
    await vi.waitFor(async () => expect(await runs()).toHaveLength(1), WAIT);
    const [run] = await runs();
    expect(run?.trigger).toEqual({ name: "github", label: "repo" });
    expect(await taskOutput(run?.id ?? 0n)).toBe("refs/heads/main 0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c ");

    const log = await events();
    const external = log.findIndex((e) => e.kind === "EXTERNAL_EVENT");
    const fired = log.findIndex((e) => e.kind === "FIRED_TRIGGER_EVENT" && e.details.name === "github");
    expect(external).toBeGreaterThanOrEqual(0);
    expect(external).toBeLessThan(fired);
    expect(log[external]?.details).toMatchObject({ name: "github", method: "POST", path: "/external/github" });
    expect(log[external]?.details.headers).toContainEqual(["X-GitHub-Delivery", "push-1"]);
    expect(log[fired]?.details).toMatchObject({
      result: { details: 'New "push" event from "octo-org/hello-world"', state: "SUCCESS" },
    });
  });

  test("a release starts a run with the release's metadata", async () => {
    const before = (await runs()).length;
    expect((await send(deliveryBytes("/external/github", signedDelivery("release", SECRET)))).status).toBe(200);
    await vi.waitFor(async () => expect(await runs()).toHaveLength(before + 1), WAIT);
    const newest = (await runs()).reduce((a, b) => (a.id > b.id ? a : b));
    expect(await taskOutput(newest.id)).toBe("  v1.2.0");
  });

  test("a ping is answered 200 and starts nothing; a bad signature starts nothing and the trigger's log says why", async () => {
    const before = (await runs()).length;
    expect(await send(deliveryBytes("/external/github", signedDelivery("ping", SECRET)))).toEqual({
      status: 200,
      body: "",
    });
    const forged = signedDelivery("push", "a guessed secret", { deliveryId: "forged-7" });
    const answer = await send(deliveryBytes("/external/github", forged));
    expect(answer).toEqual({ status: 500, body: '{"err":"could not connect to trigger"}\n' });
    await vi.waitFor(
      () =>
        expect(
          logLines.some(
            (l) =>
              l.trigger === "github" &&
              l.message === "external event refused" &&
              String(l.error).startsWith("delivery forged-7: X-Hub-Signature-256 does not match"),
          ),
        ).toBe(true),
      WAIT,
    );
    // Both were forwarded and answered before the assertions above; anything they started would be listed by now.
    expect(await runs()).toHaveLength(before);
  });

  test("an unknown trigger is 400 with the original's body, and an oversize body is 413", async () => {
    const toGitlab = await send(deliveryBytes("/external/gitlab", signedDelivery("push", SECRET)));
    expect(toGitlab).toEqual({ status: 400, body: '{"err":"trigger \\"gitlab\\" does not exist"}\n' });
    const big = signedDelivery("push", SECRET, { body: Buffer.alloc(64 * 1024 + 1, 0x20) });
    const answer = await send(deliveryBytes("/external/github", big));
    expect(answer.status).toBe(413);
  });

  test("a trigger receives exactly the bytes sent: odd header case, repeated headers, a binary body", async () => {
    await s.api.installTrigger({
      name: "recorder",
      image: "test/recording-trigger:latest",
      user: "",
      pass: "",
      variables: { RECORD_DIR: recordDir },
    });
    const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));
    const sent = deliveryBytes("/external/recorder?attempt=2", {
      headers: [
        ["hOsT", "localhost:8081"],
        ["x-custom-HEADER", "one"],
        ["Content-Type", "application/octet-stream"],
        ["X-Custom-Header", "two"],
        ["Content-Length", String(body.length)],
        ["x-custom-header", "three"],
      ],
      body,
    });
    expect((await send(sent)).status).toBe(200);
    const received = readFileSync(join(recordDir, "1.bin"));
    expect(received.equals(sent)).toBe(true);
  });

  test("a v0.5 extension receives the webhook through ExtensionService.ExternalEvent, byte for byte", async () => {
    await s.api.installTrigger({
      name: "ext",
      image: "test/extension:latest",
      user: "",
      pass: "",
      variables: { GOFER_INSTALL_KIND: "extension", EXTERNAL_EVENTS_DIR: extensionDir },
    });
    const sent = deliveryBytes("/external/ext", signedDelivery("push", SECRET, { deliveryId: "to-extension" }));
    expect(await send(sent)).toEqual({ status: 200, body: "" });
    expect(readdirSync(extensionDir)).toEqual(["1.bin"]);
    expect(readFileSync(join(extensionDir, "1.bin")).equals(sent)).toBe(true);
  });

  test("a stopped trigger is 500 'could not connect to trigger', and nothing is forwarded", async () => {
    await s.api.disableTrigger({ name: "github" });
    const answer = await send(deliveryBytes("/external/github", signedDelivery("push", SECRET)));
    expect(answer).toEqual({ status: 500, body: '{"err":"could not connect to trigger"}\n' });
  });

  test("while event ingress is off, webhooks are answered 503", async () => {
    await s.api.toggleEventIngress({});
    const answer = await send(deliveryBytes("/external/recorder", signedDelivery("push", SECRET)));
    expect(answer.status).toBe(503);
    await s.api.toggleEventIngress({});
  });
});
