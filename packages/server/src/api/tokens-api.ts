// Token RPCs → TokenService. Only management tokens manage tokens, except that anyone may look up their own.
import {
  type BootstrapTokenResponse,
  type CreateTokenRequest,
  CreateTokenRequest_Kind,
  type CreateTokenResponse,
  type DeleteTokenRequest,
  type DisableTokenRequest,
  type EnableTokenRequest,
  type GetTokenRequest,
  type GetTokenResponse,
  type ListTokensRequest,
  type ListTokensResponse,
} from "@gofer/proto";
import type { TokenService } from "../auth/token-service.js";
import type { CallContext } from "./call-context.js";
import { toProtoToken } from "./proto-convert.js";

export interface TokensApi {
  create(request: CreateTokenRequest, context: CallContext): Promise<CreateTokenResponse>;
  bootstrap(): Promise<BootstrapTokenResponse>;
  list(request: ListTokensRequest, context: CallContext): Promise<ListTokensResponse>;
  get(request: GetTokenRequest, context: CallContext): Promise<GetTokenResponse>;
  enable(request: EnableTokenRequest, context: CallContext): Promise<object>;
  disable(request: DisableTokenRequest, context: CallContext): Promise<object>;
  delete(request: DeleteTokenRequest, context: CallContext): Promise<object>;
}

/**
 * As v0.4.1: MANAGEMENT makes a management token and every other kind a client token. The v0.4.1 CLI looks the kind
 * up in an upper-case map with the lower-case word it was given, so it always sends UNKNOWN (0), whichever it meant.
 */
function kindOf(kind: CreateTokenRequest_Kind): "MANAGEMENT" | "CLIENT" {
  return kind === CreateTokenRequest_Kind.MANAGEMENT ? "MANAGEMENT" : "CLIENT";
}

export function createTokensApi(tokens: TokenService): TokensApi {
  return {
    async create(request, context) {
      context.requireManagement("create tokens");
      const issued = await tokens.create({
        kind: kindOf(request.kind),
        namespaces: request.namespaces,
        metadata: request.metadata,
        expires: request.expires,
      });
      return { details: toProtoToken(issued.details), token: issued.token };
    },
    async bootstrap() {
      const issued = await tokens.bootstrap();
      return { details: toProtoToken(issued.details), token: issued.token };
    },
    async list(request, context) {
      context.requireManagement("list tokens");
      return { tokens: (await tokens.list(request.namespace || undefined)).map(toProtoToken) };
    },
    async get(request) {
      // Whoever holds a token may read its details.
      return { details: toProtoToken(await tokens.get(request.token)) };
    },
    async enable(request, context) {
      context.requireManagement("enable tokens");
      await tokens.enable(request.token);
      return {};
    },
    async disable(request, context) {
      context.requireManagement("disable tokens");
      await tokens.disable(request.token);
      return {};
    },
    async delete(request, context) {
      context.requireManagement("delete tokens");
      await tokens.delete(request.token);
      return {};
    },
  };
}
