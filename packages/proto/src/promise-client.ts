// Promise-returning views of the generated grpc-js clients: `api.getTrigger({ name })` instead of callbacks, with
// the caller's metadata (e.g. the bearer token) and a per-call deadline. Streaming methods are left out.
import * as grpc from "@grpc/grpc-js";

type UnaryOf<M> = M extends (
  request: infer Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: infer Res) => void,
) => grpc.ClientUnaryCall
  ? (request: Req) => Promise<Res>
  : never;

export type PromiseClient<C> = {
  [K in keyof C as UnaryOf<C[K]> extends never ? never : K]: UnaryOf<C[K]>;
};

export interface PromiseClientOptions {
  metadata?: grpc.Metadata;
  /** Deadline for each call; default 30 s. */
  timeoutMs?: number;
}

export function promiseClient<C extends grpc.Client>(client: C, options: PromiseClientOptions = {}): PromiseClient<C> {
  const metadata = options.metadata ?? new grpc.Metadata();
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Proxy({} as PromiseClient<C>, {
    get(_target, name) {
      const method = (client as unknown as Record<string | symbol, unknown>)[name];
      if (typeof method !== "function") return undefined;
      return (request: unknown) =>
        new Promise((resolve, reject) => {
          (method as (...args: unknown[]) => unknown).call(
            client,
            request,
            metadata,
            { deadline: new Date(Date.now() + timeoutMs) },
            (error: grpc.ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response)),
          );
        });
    },
  });
}
