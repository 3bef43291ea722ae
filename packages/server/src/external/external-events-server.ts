// The external events listener (spec §2.9): webhooks arrive as `POST /external/{trigger}` on their own HTTPS port
// (external_events_api.host, the API's certificate; plaintext only when the API itself is) and are forwarded to the
// trigger's ExternalEvent (v0.4) or the extension's (v0.5) as the whole request in HTTP/1.1 wire bytes.
//
// Answers, as the original: unknown trigger 400 {"err":"trigger \"x\" does not exist"}; the trigger not running or
// its ExternalEvent failing 500 {"err":"could not connect to trigger"}; forwarded 200 with an empty body. Beyond the
// original: event ingress off 503; a body over max_body_size 413; more webhooks waiting for one trigger than the
// bound allows 429; other paths 404 and other methods 405; 15 s to receive a request, 15 s of silence on a
// connection. Each forwarded webhook is recorded as an EXTERNAL_EVENT (its headers, not its body) before the trigger
// sees it, so the event log shows it ahead of the runs it causes.
//
// Order of checks: route → method → ingress → trigger installed → declared size → body (read within the cap) →
// a slot among the trigger's in-flight webhooks → trigger running → record → forward.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Clock } from "@gofer/kernel";
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import type { PluginConnection } from "../triggers/plugin-connection.js";
import { ConcurrencyLimit, ConcurrencyLimitFullError } from "./concurrency-limit.js";
import { externalEventDetails } from "./external-event-details.js";
import { toWireBytes } from "./http-wire.js";

/** What the listener needs to know about installed triggers. */
export interface ExternalEventTargets {
  /** Whether a trigger or extension of this name is installed (enabled or not). */
  isInstalled(name: string): Promise<boolean>;
  /** The connection to the running trigger, or why there is none. */
  connection(name: string): { client: Pick<PluginConnection, "externalEvent"> } | { unavailable: string };
}

export interface ExternalEventsServerOptions {
  /** host:port; port 0 picks one. */
  host: string;
  /** The API's certificate; null serves plaintext (only when the API is plaintext). */
  tls: { certPem: string; keyPem: string } | null;
  maxBodyBytes: number;
  /** Webhooks with one trigger at once; more wait their turn. */
  maxConcurrentPerTrigger: number;
  /** Webhooks waiting for one trigger before more are refused with 429. */
  maxWaitingPerTrigger: number;
  /** Receive timeout of a request and idle timeout of a connection. Default 15 s, as the original. */
  timeoutMs?: number;
  targets: ExternalEventTargets;
  ingressEnabled(): boolean;
  /** Stores the EXTERNAL_EVENT entry. */
  record(details: Record<string, unknown>): Promise<void>;
  clock: Clock;
  logger: Logger;
}

export interface RunningExternalEventsServer {
  /** host:port it listens on. */
  readonly address: string;
  readonly port: number;
  readonly tls: boolean;
  /** Stops accepting webhooks and waits (bounded) for those in flight; safe to call twice. */
  stop(timeoutMs: number): Promise<void>;
}

const ROUTE = /^\/external\/([^/?#]+)$/;

/** gRPC CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE: the trigger did not answer, as opposed to refusing. */
const UNREACHABLE_CODES = new Set([1, 4, 14]);

class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

/** The original answered with Go's json.Encoder: `<`, `>` and `&` escaped, a newline at the end. */
function goJson(value: Record<string, string>): string {
  return `${JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}\n`;
}

function answer(res: ServerResponse, status: number, err?: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (err === undefined) {
    res.writeHead(status, { "Content-Length": 0 }).end();
    return;
  }
  const body = Buffer.from(goJson({ err }));
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": body.length }).end(body);
}

/** Reads the body, refusing it as soon as it passes the cap. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        reject(new BodyTooLargeError(`body is over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", reject);
    req.once("close", () => {
      if (!req.complete) reject(new Error("the client closed the connection before the body was complete"));
    });
  });
}

export async function startExternalEventsServer(
  options: ExternalEventsServerOptions,
): Promise<RunningExternalEventsServer> {
  const { logger, clock } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const limit = new ConcurrencyLimit(options.maxConcurrentPerTrigger, options.maxWaitingPerTrigger);
  const inFlight = new Set<Promise<void>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedMs = clock.now().getTime();
    const url = req.url ?? "/";
    const path = url.split("?", 1)[0] ?? "/";
    const route = ROUTE.exec(path);
    if (!route?.[1]) {
      answer(res, 404, "not found; webhooks go to POST /external/<trigger name>", { Connection: "close" });
      return;
    }
    let name: string;
    try {
      name = decodeURIComponent(route[1]);
    } catch {
      answer(res, 400, `trigger ${JSON.stringify(route[1])} does not exist`, { Connection: "close" });
      return;
    }
    if (req.method !== "POST") {
      answer(res, 405, `method ${req.method} not allowed; webhooks are POSTed`, { Allow: "POST", Connection: "close" });
      return;
    }
    if (!options.ingressEnabled()) {
      answer(
        res,
        503,
        "event ingress is turned off (gofer service toggle-event-ingress); the webhook was not forwarded",
        { Connection: "close", "Retry-After": "60" },
      );
      return;
    }
    if (!(await options.targets.isInstalled(name))) {
      answer(res, 400, `trigger ${JSON.stringify(name)} does not exist`, { Connection: "close" });
      return;
    }
    const tooLarge = () =>
      answer(
        res,
        413,
        `request body is larger than ${options.maxBodyBytes} bytes (external_events_api.max_body_size)`,
        { Connection: "close" },
      );
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
      tooLarge();
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) tooLarge();
      else res.destroy();
      return;
    }

    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) gone.abort(new Error("the client went away"));
    };
    res.once("close", onClose);
    let release: (() => void) | undefined;
    try {
      release = await limit.acquire(name, gone.signal);
    } catch (error) {
      if (error instanceof ConcurrencyLimitFullError) {
        logger.warn("webhook refused: too many for one trigger", { trigger: name, error: error.message });
        answer(res, 429, `too many webhooks are waiting for trigger ${JSON.stringify(name)}; try again later`, {
          "Retry-After": "1",
        });
      }
      return;
    }
    try {
      const target = options.targets.connection(name);
      if ("unavailable" in target) {
        logger.error("could not connect to trigger", { trigger: name, error: target.unavailable });
        answer(res, 500, "could not connect to trigger");
        return;
      }
      const headers = req.rawHeaders;
      const recordingMs = clock.now().getTime();
      await options
        .record(externalEventDetails({ name, method: req.method, url, rawHeaders: headers, bodyBytes: body.length }))
        .catch((error: unknown) =>
          logger.error("could not record an external event", { trigger: name, error: errorMessage(error) }),
        );
      const payload = toWireBytes({ method: req.method, url, rawHeaders: headers, body });
      const forwardingMs = clock.now().getTime();
      try {
        await target.client.externalEvent(payload);
      } catch (error) {
        // The sender gets the original's one answer either way; the log tells a trigger that refused the webhook
        // (a bad signature: its own log says why) from one that could not be reached.
        const code = (error as { code?: unknown }).code;
        if (typeof code === "number" && !UNREACHABLE_CODES.has(code)) {
          logger.warn("trigger refused the webhook", { trigger: name, error: errorMessage(error) });
        } else {
          logger.error("could not connect to trigger", { trigger: name, error: errorMessage(error) });
        }
        answer(res, 500, "could not connect to trigger");
        return;
      }
      const doneMs = clock.now().getTime();
      logger.debug("webhook forwarded", {
        trigger: name,
        bytes: payload.length,
        durationMs: doneMs - receivedMs,
        // received → a turn with the trigger, → recorded, → the trigger answered
        waitMs: recordingMs - receivedMs,
        recordMs: forwardingMs - recordingMs,
        triggerMs: doneMs - forwardingMs,
      });
      answer(res, 200);
    } finally {
      release?.();
      res.off("close", onClose);
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const work = handle(req, res).catch((error: unknown) => {
      logger.error("webhook handling failed", { error: errorMessage(error) });
      answer(res, 500, "could not connect to trigger");
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const serverOptions = {
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    keepAliveTimeout: timeoutMs,
    // How often Node checks requestTimeout/headersTimeout (default 30 s, which would let a stalled request live 45 s).
    connectionsCheckingInterval: Math.min(1_000, timeoutMs),
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, cert: options.tls.certPem, key: options.tls.keyPem }, onRequest)
    : createHttpServer(serverOptions, onRequest);
  // Idle sockets (nothing read or written for the timeout, e.g. a stalled upload or a client that stops reading the
  // answer) are closed.
  server.setTimeout(timeoutMs, (socket) => socket.destroy());

  const { hostname, port: wantedPort } = splitHost(options.host);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(wantedPort, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const address = `${hostname}:${port}`;
  logger.info("external events listening", {
    address,
    tls: options.tls !== null,
    route: "POST /external/<trigger>",
    maxBodyBytes: options.maxBodyBytes,
  });

  let stopping: Promise<void> | undefined;
  return {
    address,
    port,
    tls: options.tls !== null,
    stop(stopTimeoutMs) {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = new AbortController();
        await Promise.race([
          Promise.allSettled([...inFlight]).then(() => closed),
          clock.sleep(stopTimeoutMs, timer.signal).then(
            () => server.closeAllConnections(),
            () => {},
          ),
        ]);
        timer.abort();
        server.closeAllConnections();
      })();
      return stopping;
    },
  };
}

function splitHost(host: string): { hostname: string; port: number } {
  const at = host.lastIndexOf(":");
  const hostname = host.slice(0, at).replace(/^\[(.*)\]$/, "$1");
  return { hostname: hostname === "" ? "0.0.0.0" : hostname, port: Number(host.slice(at + 1)) };
}
