// A promise-based client for proto.TriggerService: the Bearer key on every call, a deadline on every call but Watch,
// and a TLS channel that trusts exactly the certificate the trigger was given (no blanket skip-verify, spec §2.3).
import {
  type TriggerExternalEventRequest,
  type TriggerInfoResponse,
  TriggerServiceClient,
  type TriggerSubscribeRequest,
  type TriggerUnsubscribeRequest,
  type TriggerWatchResponse,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { WatchChannel } from "./watch-channel.js";

export interface TriggerClientOptions {
  /** host:port */
  address: string;
  key: string;
  /** The PEM certificate the trigger serves; null dials plaintext (tests only). */
  certPem: string | null;
  /** Deadline for every call but Watch. Default 10 s. */
  callTimeoutMs?: number;
}

/** Channel credentials that trust exactly one self-signed certificate, whatever host name it was dialled by. */
export function exactTrustCredentials(certPem: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(certPem), null, null, { checkServerIdentity: () => undefined });
}

export class TriggerClient {
  private readonly client: TriggerServiceClient;
  private readonly metadata: grpc.Metadata;
  private readonly callTimeoutMs: number;
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
    });
    this.metadata = new grpc.Metadata();
    this.metadata.set("authorization", `Bearer ${options.key}`);
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.watchChannel = new WatchChannel(options);
  }

  info(): Promise<TriggerInfoResponse> {
    return this.unary((cb, o) => this.client.info({}, this.metadata, o, cb));
  }

  subscribe(request: TriggerSubscribeRequest): Promise<void> {
    return this.unary((cb, o) => this.client.subscribe(request, this.metadata, o, cb)).then(() => undefined);
  }

  unsubscribe(request: TriggerUnsubscribeRequest): Promise<void> {
    return this.unary((cb, o) => this.client.unsubscribe(request, this.metadata, o, cb)).then(() => undefined);
  }

  shutdown(): Promise<void> {
    return this.unary((cb, o) => this.client.shutdown({}, this.metadata, o, cb)).then(() => undefined);
  }

  externalEvent(request: TriggerExternalEventRequest): Promise<void> {
    return this.unary((cb, o) => this.client.externalEvent(request, this.metadata, o, cb)).then(() => undefined);
  }

  /**
   * The long-poll: no deadline; aborting the signal cancels the call (it then rejects with CANCELLED). It runs on its
   * own lean HTTP/2 session (watch-channel.ts), being the one call made per event.
   */
  watch(signal: AbortSignal): Promise<TriggerWatchResponse> {
    return this.watchChannel.watch(signal);
  }

  close(): void {
    this.watchChannel.close();
    this.client.close();
  }

  private unary<T>(
    start: (callback: (error: grpc.ServiceError | null, value: T) => void, options: grpc.CallOptions) => unknown,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      start((error, value) => (error ? reject(error) : resolve(value)), {
        deadline: new Date(Date.now() + this.callTimeoutMs),
      });
    });
  }
}
