// Adapters from async handlers to grpc-js handlers: authenticate first (rejecting before any handler work), run the
// handler with a CallContext, and turn any throw into a status through status.ts. A handler can therefore never
// forget to answer or answer twice.
import type * as grpc from "@grpc/grpc-js";
import type { Logger } from "winston";
import type { AuthContext } from "../auth/auth-context.js";
import { isExtensionToken } from "../auth/token.js";
import { PermissionDeniedError } from "../errors.js";
import { type CallContext, callContext } from "./call-context.js";
import { toStatus } from "./status.js";

export type Authenticate = (path: string, metadata: grpc.Metadata) => Promise<AuthContext>;

export interface HandlerDeps {
  authenticate: Authenticate;
  logger: Logger;
  /** Aborts every open stream when the server stops. */
  shutdown: AbortSignal;
}

/** What an extension's token may call: StartRun only (and the public methods), spec §5.4. */
const EXTENSION_METHODS = new Set([
  "/proto.Gofer/StartRun",
  "/proto.Gofer/GetSystemInfo",
  "/proto.Gofer/BootstrapToken",
]);

/** Authenticates, then keeps extension tokens to the methods they exist for. */
async function authorize(deps: HandlerDeps, path: string, metadata: grpc.Metadata): Promise<AuthContext> {
  const caller = await deps.authenticate(path, metadata);
  if (isExtensionToken(caller.metadata) && !EXTENSION_METHODS.has(path)) {
    throw new PermissionDeniedError(`an extension's token may only call StartRun, not ${path}`);
  }
  return caller;
}

export function unary<Req, Res>(
  deps: HandlerDeps,
  path: string,
  handle: (request: Req, context: CallContext) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const { signal, done } = callSignal(call, deps.shutdown);
    authorize(deps, path, call.metadata)
      .then((caller) => handle(call.request, callContext(caller, signal)))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toStatus(error, deps.logger, path)),
      )
      .finally(done);
  };
}

/**
 * A call's signal: aborted when the caller cancels or the server shuts down. Cheaper than AbortSignal.any per call
 * (a unary call is short): one controller, and a listener on the shutdown signal that done() removes.
 */
function callSignal(call: { on(event: "cancelled", listener: () => void): unknown }, shutdown: AbortSignal) {
  const controller = new AbortController();
  const abort = () => controller.abort();
  call.on("cancelled", abort);
  if (shutdown.aborted) abort();
  else shutdown.addEventListener("abort", abort, { once: true });
  return { signal: controller.signal, done: () => shutdown.removeEventListener("abort", abort) };
}

export function serverStream<Req, Res>(
  deps: HandlerDeps,
  path: string,
  handle: (request: Req, send: (item: Res) => Promise<void>, context: CallContext) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const cancelled = new AbortController();
    call.on("cancelled", () => cancelled.abort());
    const signal = AbortSignal.any([cancelled.signal, deps.shutdown]);
    // Respect the stream's flow control: wait for drain when the buffer is full.
    const send = (item: Res) =>
      new Promise<void>((resolve) => {
        if (signal.aborted || call.write(item)) resolve();
        else call.once("drain", () => resolve());
      });
    authorize(deps, path, call.metadata)
      .then((caller) => handle(call.request, send, callContext(caller, signal)))
      .then(
        () => call.end(),
        (error: unknown) => {
          if (signal.aborted && cancelled.signal.aborted) return;
          // grpc-js turns an 'error' event on a server stream into the call's final status.
          call.emit("error", toStatus(error, deps.logger, path));
        },
      );
  };
}
