// The suite's view of a trigger: TriggerService over TLS, trusting exactly the certificate the suite generated, with
// a bearer key in per-call metadata (so cases can also send none, a wrong one, or another scheme). Every call has a
// deadline, and a signal that cancels it client-side.

import {
  type TriggerInfoResponse,
  TriggerServiceClient,
  type TriggerSubscribeRequest,
  type TriggerUnsubscribeRequest,
  type TriggerWatchResponse,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import type { Clock } from "../clock.js";

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

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;
type Invoke<T> = (
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: Callback<T>,
) => grpc.ClientUnaryCall;

export class TriggerClient {
  private readonly client: TriggerServiceClient;

  constructor(
    readonly address: string,
    certPem: string,
    private readonly key: string,
    private readonly clock: Clock,
  ) {
    const credentials = grpc.credentials.createSsl(Buffer.from(certPem), null, null, {
      // The certificate is trusted as a root; its names are not checked against the dialled address.
      checkServerIdentity: () => undefined,
    });
    this.client = new TriggerServiceClient(address, credentials, {
      // Dialling an IP would otherwise make Node warn that an IP cannot be a TLS servername.
      "grpc.ssl_target_name_override": "localhost",
      // Reconnect quickly: the readiness loop polls every 300 ms, and the default 1 s+ backoff would hide a server
      // that came up in between.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 500,
    });
  }

  info(options: CallOptions): Promise<TriggerInfoResponse> {
    return this.call(options, (md, co, cb) => this.client.info({}, md, co, cb));
  }

  subscribe(request: TriggerSubscribeRequest, options: CallOptions): Promise<void> {
    return this.call(options, (md, co, cb) => this.client.subscribe(request, md, co, cb)).then(() => undefined);
  }

  unsubscribe(request: TriggerUnsubscribeRequest, options: CallOptions): Promise<void> {
    return this.call(options, (md, co, cb) => this.client.unsubscribe(request, md, co, cb)).then(() => undefined);
  }

  shutdown(options: CallOptions): Promise<void> {
    return this.call(options, (md, co, cb) => this.client.shutdown({}, md, co, cb)).then(() => undefined);
  }

  externalEvent(payload: Buffer, options: CallOptions): Promise<void> {
    return this.call(options, (md, co, cb) => this.client.externalEvent({ payload }, md, co, cb)).then(() => undefined);
  }

  watch(options: CallOptions): Promise<TriggerWatchResponse> {
    return this.call(options, (md, co, cb) => this.client.watch({}, md, co, cb));
  }

  close(): void {
    this.client.close();
  }

  private call<T>(options: CallOptions, invoke: Invoke<T>): Promise<T> {
    const metadata = new grpc.Metadata();
    const authorization = options.authorization === undefined ? `Bearer ${this.key}` : options.authorization;
    if (authorization !== null) metadata.set("authorization", authorization);
    const deadline = new Date(this.clock.now().getTime() + options.timeoutMs);
    const signal = options.signal;
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new RpcError(grpc.status.CANCELLED, "cancelled before the call started"));
        return;
      }
      const onAbort = () => call.cancel();
      const call = invoke(metadata, { deadline }, (error, response) => {
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(new RpcError(error.code, error.details));
        else resolve(response);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
