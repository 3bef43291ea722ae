// The suite's view of a trigger: the kernel's TriggerClient, so a trigger is called as Gofer calls it (TLS trusting
// exactly the certificate the suite generated, the lean Watch channel), with a deadline and a cancelling signal on
// every call, and another or no authorization where a case asks for it. Failures reject as RpcError, whose status
// the cases check and report.

import { type Clock, TriggerClient } from "@gofer/kernel";
import type {
  TriggerInfoResponse,
  TriggerSubscribeRequest,
  TriggerUnsubscribeRequest,
  TriggerWatchResponse,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";

/** A call that ended with a non-OK status. */
export class RpcError extends Error {
  override name = "RpcError";
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`${grpc.status[code] ?? `code ${code}`} "${details}"`);
  }

  get codeName(): string {
    return grpc.status[this.code] ?? `code ${this.code}`;
  }
}

export interface CallOptions {
  readonly timeoutMs: number;
  /** The authorization metadata value; default `Bearer <key>`, null sends no authorization metadata at all. */
  readonly authorization?: string | null;
  /** Aborting cancels the call client-side; it then rejects with RpcError CANCELLED. */
  readonly signal?: AbortSignal;
}

// Reconnect quickly: the readiness loop polls every 300 ms, and a longer backoff would hide a server that came up in
// between.
const MAX_RECONNECT_BACKOFF_MS = 500;

export class ConformanceClient {
  private readonly client: TriggerClient;

  constructor(
    readonly address: string,
    certPem: string,
    key: string,
    clock: Clock,
  ) {
    this.client = new TriggerClient({ address, key, certPem, clock, maxReconnectBackoffMs: MAX_RECONNECT_BACKOFF_MS });
  }

  info(options: CallOptions): Promise<TriggerInfoResponse> {
    return rpc(this.client.info(options));
  }

  subscribe(request: TriggerSubscribeRequest, options: CallOptions): Promise<void> {
    return rpc(this.client.subscribe(request, options));
  }

  unsubscribe(request: TriggerUnsubscribeRequest, options: CallOptions): Promise<void> {
    return rpc(this.client.unsubscribe(request, options));
  }

  shutdown(options: CallOptions): Promise<void> {
    return rpc(this.client.shutdown(options));
  }

  externalEvent(payload: Buffer, options: CallOptions): Promise<void> {
    return rpc(this.client.externalEvent({ payload }, options));
  }

  watch(options: CallOptions): Promise<TriggerWatchResponse> {
    const { signal, timeoutMs, authorization } = options;
    return rpc(this.client.watch(signal ?? new AbortController().signal, { timeoutMs, authorization }));
  }

  close(): void {
    this.client.close();
  }
}

/** The call's result, or its gRPC status as RpcError (both of the kernel client's paths give code and details). */
async function rpc<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const { code, details } = error as { code?: unknown; details?: unknown };
    if (typeof code !== "number") throw error;
    throw new RpcError(code, typeof details === "string" ? details : String(error));
  }
}
