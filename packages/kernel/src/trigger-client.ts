// A promise-based client for proto.TriggerService: the Bearer key on every call, a deadline on every call but Watch,
// and a TLS channel that trusts exactly the certificate the trigger was given (no blanket skip-verify, spec §2.3).
// Gofer's server dials triggers with it; the conformance suite too, through the per-call options (its own deadline,
// a cancelling signal, another or no authorization), so that it checks triggers the way Gofer calls them.
import {
  type TriggerExternalEventRequest,
  type TriggerInfoResponse,
  TriggerServiceClient,
  type TriggerSubscribeRequest,
  type TriggerUnsubscribeRequest,
  type TriggerWatchResponse,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { type Clock, systemClock } from "./clock.js";
import { type WatchCallOptions, WatchChannel } from "./watch-channel.js";

export interface TriggerClientOptions {
  /** host:port */
  address: string;
  key: string;
  /** The PEM certificate the trigger serves; null dials plaintext (tests only). */
  certPem: string | null;
  /** Deadline for every call but Watch. Default 10 s. */
  callTimeoutMs?: number;
  /** Upper bound of grpc-js's reconnect backoff; default grpc-js's own (2 minutes). */
  maxReconnectBackoffMs?: number;
  /** Reads the time deadlines are counted from. Default systemClock. */
  clock?: Clock;
}

/** Per call: everything optional, defaults from the client's options. */
export interface CallOptions {
  /** This call's deadline, instead of callTimeoutMs. */
  readonly timeoutMs?: number;
  /** The authorization metadata value; default `Bearer <key>`, null sends no authorization metadata at all. */
  readonly authorization?: string | null;
  /** Aborting cancels the call client-side; it then rejects with CANCELLED. */
  readonly signal?: AbortSignal;
}

/** Channel credentials that trust exactly one self-signed certificate, whatever host name it was dialled by. */
export function exactTrustCredentials(certPem: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(certPem), null, null, { checkServerIdentity: () => undefined });
}

type Invoke<T> = (
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, value: T) => void,
) => grpc.ClientUnaryCall;

export class TriggerClient {
  private readonly client: TriggerServiceClient;
  private readonly metadata: grpc.Metadata;
  private readonly callTimeoutMs: number;
  private readonly clock: Clock;
  private readonly watchChannel: WatchChannel;

  constructor(options: TriggerClientOptions) {
    const credentials = options.certPem ? exactTrustCredentials(options.certPem) : grpc.credentials.createInsecure();
    this.client = new TriggerServiceClient(options.address, credentials, {
      // Our certificates name localhost; dialling 127.0.0.1 with this override avoids an IP as TLS server name.
      "grpc.ssl_target_name_override": "localhost",
      "grpc.default_authority": "localhost",
      "grpc.keepalive_time_ms": 30_000,
      "grpc.keepalive_permit_without_calls": 1,
      // A trigger is dialled while it is still starting, so the first connection attempt is often refused. grpc-js
      // then fails every call until its reconnect backoff (1 s by default) has passed, which would hold up the
      // readiness poll's quick first attempts by a whole second.
      "grpc.initial_reconnect_backoff_ms": 100,
      ...(options.maxReconnectBackoffMs === undefined
        ? {}
        : { "grpc.max_reconnect_backoff_ms": options.maxReconnectBackoffMs }),
    });
    this.metadata = new grpc.Metadata();
    this.metadata.set("authorization", `Bearer ${options.key}`);
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.watchChannel = new WatchChannel({ ...options, clock: this.clock });
  }

  info(options?: CallOptions): Promise<TriggerInfoResponse> {
    return this.unary(options, (md, o, cb) => this.client.info({}, md, o, cb));
  }

  subscribe(request: TriggerSubscribeRequest, options?: CallOptions): Promise<void> {
    return this.unary(options, (md, o, cb) => this.client.subscribe(request, md, o, cb)).then(() => undefined);
  }

  unsubscribe(request: TriggerUnsubscribeRequest, options?: CallOptions): Promise<void> {
    return this.unary(options, (md, o, cb) => this.client.unsubscribe(request, md, o, cb)).then(() => undefined);
  }

  shutdown(options?: CallOptions): Promise<void> {
    return this.unary(options, (md, o, cb) => this.client.shutdown({}, md, o, cb)).then(() => undefined);
  }

  externalEvent(request: TriggerExternalEventRequest, options?: CallOptions): Promise<void> {
    return this.unary(options, (md, o, cb) => this.client.externalEvent(request, md, o, cb)).then(() => undefined);
  }

  /**
   * The long-poll: no deadline unless options give one; aborting the signal cancels the call (it then rejects with
   * CANCELLED). It runs on its own lean HTTP/2 session (watch-channel.ts), being the one call made per event.
   */
  watch(signal: AbortSignal, options?: WatchCallOptions): Promise<TriggerWatchResponse> {
    return this.watchChannel.watch(signal, options);
  }

  close(): void {
    this.watchChannel.close();
    this.client.close();
  }

  private unary<T>(options: CallOptions | undefined, invoke: Invoke<T>): Promise<T> {
    const signal = options?.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(cancelled("cancelled before the call started"));
        return;
      }
      const deadline = new Date(this.clock.now().getTime() + (options?.timeoutMs ?? this.callTimeoutMs));
      const onAbort = () => call.cancel();
      const call = invoke(this.metadataFor(options), { deadline }, (error, value) => {
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(value);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private metadataFor(options: CallOptions | undefined): grpc.Metadata {
    if (options?.authorization === undefined) return this.metadata;
    const metadata = new grpc.Metadata();
    if (options.authorization !== null) metadata.set("authorization", options.authorization);
    return metadata;
  }
}

/** A CANCELLED failure shaped like grpc-js's own (code and details). */
function cancelled(details: string): Error & { code: number; details: string } {
  return Object.assign(new Error(`${grpc.status.CANCELLED} CANCELLED: ${details}`), {
    code: grpc.status.CANCELLED,
    details,
  });
}
