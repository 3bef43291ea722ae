// Each run's own API credentials, so its tasks can use the stores (e.g. `gofer run store put` from a task): a client
// token for the run's namespace, made when the run's first task starts and deleted when the run completes (48 h at
// most, for a run cut off by a crash). Tasks get it in their env with the API's address and certificate, under the
// names the `gofer` CLI reads. v0.4.1 minted a token per run too but handed tasks an unresolvable placeholder and
// never the address (spec §9.4, §9.7 S9). The token is never stored with the task run.
import type { TokenService } from "./token-service.js";

export interface RunRefLike {
  readonly namespaceId: string;
  readonly pipelineId: string;
  readonly runId: number;
}

export interface RunTokenEnvOptions {
  tokens: TokenService;
  /** The API address tasks reach (host:port); read when a run starts. */
  apiHost: () => string;
  /** The API certificate's path, when the API serves TLS. */
  apiCertPath: string | undefined;
}

const key = (ref: RunRefLike) => `${ref.namespaceId}\u0000${ref.pipelineId}\u0000${ref.runId}`;

export class RunTokens {
  private readonly issued = new Map<string, Promise<string>>();

  constructor(private readonly options: RunTokenEnvOptions) {}

  /**
   * The env a task of the run gets (its API token, the API's address and how to trust it) and the files it needs
   * (the API's certificate, mounted read-only on the docker engine).
   */
  async env(ref: RunRefLike): Promise<{ env: Record<string, string>; readOnlyFiles: string[] }> {
    let token = this.issued.get(key(ref));
    if (!token) {
      token = this.options.tokens
        .create({
          kind: "CLIENT",
          namespaces: [ref.namespaceId],
          metadata: { memo: `run ${ref.runId} of pipeline ${ref.namespaceId}/${ref.pipelineId}` },
          expires: "48h",
        })
        .then((issued) => issued.token);
      this.issued.set(key(ref), token);
      token.catch(() => this.issued.delete(key(ref)));
    }
    const value = await token;
    const host = this.options.apiHost();
    const certPath = this.options.apiCertPath;
    return {
      env: {
        GOFER_API_HOST: host,
        GOFER_API_TOKEN: value,
        GOFER_CLI_HOST: host,
        GOFER_CLI_TOKEN: value,
        GOFER_CLI_NAMESPACE: ref.namespaceId,
        ...(certPath ? { GOFER_CLI_TLS_CA: certPath } : {}),
      },
      readOnlyFiles: certPath ? [certPath] : [],
    };
  }

  /** The run completed: its token goes. Never rejects. */
  async release(ref: RunRefLike): Promise<void> {
    const token = this.issued.get(key(ref));
    if (!token) return;
    this.issued.delete(key(ref));
    try {
      await this.options.tokens.revoke(await token);
    } catch {
      // expires on its own
    }
  }
}
