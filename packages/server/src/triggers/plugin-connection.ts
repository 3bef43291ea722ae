// What the server needs of a running trigger or extension, whatever its kind. v0.4 triggers speak
// proto.TriggerService (and are watched); v0.5 extensions speak proto.ExtensionService (no Watch: they call
// Gofer.StartRun themselves). Field numbers are equal in both, only the service path and the label's field name
// differ (spec §5.1), so one interface covers them; proto types stay inside the two clients.

import { exactTrustCredentials, type SubscriptionKey, TriggerClient } from "@gofer/kernel";
import { ExtensionServiceClient, type TriggerWatchResponse } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";

export interface PluginConnection {
  info(): Promise<{ documentation: string }>;
  subscribe(target: SubscriptionKey, config: Record<string, string>): Promise<void>;
  unsubscribe(target: SubscriptionKey): Promise<void>;
  shutdown(): Promise<void>;
  externalEvent(payload: Uint8Array): Promise<void>;
  /** Only triggers are watched. */
  watch?: (signal: AbortSignal) => Promise<TriggerWatchResponse>;
  close(): void;
}

export interface ConnectionOptions {
  address: string;
  key: string;
  certPem: string;
  callTimeoutMs?: number;
}

export function triggerConnection(options: ConnectionOptions): PluginConnection {
  const client = new TriggerClient(options);
  return {
    info: () => client.info(),
    subscribe: (t, config) =>
      client.subscribe({ namespaceId: t.namespaceId, pipelineId: t.pipelineId, pipelineTriggerLabel: t.label, config }),
    unsubscribe: (t) =>
      client.unsubscribe({ namespaceId: t.namespaceId, pipelineId: t.pipelineId, pipelineTriggerLabel: t.label }),
    shutdown: () => client.shutdown(),
    externalEvent: (payload) => client.externalEvent({ payload: Buffer.from(payload) }),
    watch: (signal) => client.watch(signal),
    close: () => client.close(),
  };
}

export function extensionConnection(options: ConnectionOptions): PluginConnection {
  const client = new ExtensionServiceClient(options.address, exactTrustCredentials(options.certPem), {
    "grpc.ssl_target_name_override": "localhost",
    "grpc.default_authority": "localhost",
    // Dialled while still starting: retry a refused connection after 100 ms, not grpc-js's default 1 s (trigger-client.ts).
    "grpc.initial_reconnect_backoff_ms": 100,
  });
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${options.key}`);
  const timeoutMs = options.callTimeoutMs ?? 10_000;
  const call = <T>(start: (cb: (error: grpc.ServiceError | null, value: T) => void, o: grpc.CallOptions) => unknown) =>
    new Promise<T>((resolve, reject) =>
      start((error, value) => (error ? reject(error) : resolve(value)), { deadline: new Date(Date.now() + timeoutMs) }),
    );
  return {
    info: () => call((cb, o) => client.info({}, metadata, o, cb)),
    subscribe: (t, config) =>
      call((cb, o) =>
        client.subscribe(
          { namespaceId: t.namespaceId, pipelineId: t.pipelineId, pipelineExtensionLabel: t.label, config },
          metadata,
          o,
          cb,
        ),
      ).then(() => undefined),
    unsubscribe: (t) =>
      call((cb, o) =>
        client.unsubscribe(
          { namespaceId: t.namespaceId, pipelineId: t.pipelineId, pipelineExtensionLabel: t.label },
          metadata,
          o,
          cb,
        ),
      ).then(() => undefined),
    shutdown: () => call((cb, o) => client.shutdown({}, metadata, o, cb)).then(() => undefined),
    externalEvent: (payload) =>
      call((cb, o) => client.externalEvent({ payload: Buffer.from(payload) }, metadata, o, cb)).then(() => undefined),
    close: () => client.close(),
  };
}
