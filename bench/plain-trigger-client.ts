// The client every trigger benchmark drives its trigger with: the generated grpc-js TriggerService client and nothing
// else, so that ours and any other trigger program (an original Go binary passed with --compare) meet the same
// client. TLS trusts exactly the trigger's certificate, whatever name it carries, as Gofer does.
import {
  type TriggerInfoResponse,
  TriggerServiceClient,
  type TriggerSubscribeRequest,
  type TriggerWatchResponse,
} from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";

export class PlainTriggerClient {
  private readonly client: TriggerServiceClient;
  private readonly metadata = new grpc.Metadata();

  constructor(
    address: string,
    key: string,
    certPem: string,
    private readonly callTimeoutMs = 60_000,
  ) {
    const credentials = grpc.credentials.createSsl(Buffer.from(certPem), null, null, {
      checkServerIdentity: () => undefined,
    });
    this.client = new TriggerServiceClient(address, credentials, {
      "grpc.ssl_target_name_override": "localhost",
      "grpc.default_authority": "localhost",
      // The trigger is dialled while it starts: retry the connection quickly rather than after grpc-js's 1 s.
      "grpc.initial_reconnect_backoff_ms": 100,
    });
    this.metadata.set("authorization", `Bearer ${key}`);
  }

  info(): Promise<TriggerInfoResponse> {
    return new Promise((resolve, reject) =>
      this.client.info({}, this.metadata, this.deadline(), (e, r) => (e ? reject(e) : resolve(r))),
    );
  }

  subscribe(request: TriggerSubscribeRequest): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.subscribe(request, this.metadata, this.deadline(), (e) => (e ? reject(e) : resolve())),
    );
  }

  shutdown(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.shutdown({}, this.metadata, this.deadline(), (e) => (e ? reject(e) : resolve())),
    );
  }

  /** The long-poll, as Gofer makes it: no deadline; the signal cancels it. */
  watch(signal: AbortSignal): Promise<TriggerWatchResponse> {
    return new Promise((resolve, reject) => {
      const call = this.client.watch({}, this.metadata, (e, r) => {
        signal.removeEventListener("abort", cancel);
        if (e) reject(e);
        else resolve(r);
      });
      const cancel = () => call.cancel();
      signal.addEventListener("abort", cancel, { once: true });
    });
  }

  close(): void {
    this.client.close();
  }

  private deadline(): grpc.CallOptions {
    return { deadline: new Date(Date.now() + this.callTimeoutMs) };
  }
}
