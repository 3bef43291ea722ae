// Case 4: every call must carry `authorization: Bearer <key>` (scheme case-insensitive, spec §1.1, §3.3). Only the
// status code is required; the reference messages are reported for comparison.
import * as grpc from "@grpc/grpc-js";
import { CaseFailure, pass } from "./case-recorder.js";
import { CALL_TIMEOUT_MS, type ConformanceContext } from "./conformance-context.js";
import type { ServerSession } from "./server-session.js";
import { RpcError } from "./trigger-client.js";

export async function runAuthCases(ctx: ConformanceContext, server: ServerSession | undefined): Promise<void> {
  const notReady = server ? undefined : "the server did not become ready (see server.ready)";

  await ctx.cases.run(
    "auth.valid-bearer",
    "Info with `Bearer <key>` succeeds and echoes GOFER_PLUGIN_SYSTEM_NAME",
    async () => {
      const info = await callInfo(server, ctx, undefined);
      if (info.name !== server?.name) {
        throw new CaseFailure(`Info.name is "${info.name}", expected "${server?.name}" (GOFER_PLUGIN_SYSTEM_NAME)`);
      }
      return pass(`name "${info.name}", documentation "${info.documentation}"`);
    },
    notReady,
  );

  await ctx.cases.run(
    "auth.scheme-case-insensitive",
    "Info with `bearer <key>` (lower-case scheme) succeeds",
    async () => {
      await callInfo(server, ctx, `bearer ${server?.key}`);
      return pass();
    },
    notReady,
  );

  const rejected = [
    { id: "auth.missing", title: "Info without authorization is UNAUTHENTICATED", authorization: null },
    {
      id: "auth.wrong-key",
      title: "Info with a wrong key is UNAUTHENTICATED",
      authorization: `Bearer ${otherKey(server?.key ?? "")}`,
    },
    {
      id: "auth.wrong-scheme",
      title: "Info with `Basic <key>` is UNAUTHENTICATED",
      authorization: `Basic ${server?.key ?? ""}`,
    },
  ];
  for (const attempt of rejected) {
    await ctx.cases.run(
      attempt.id,
      attempt.title,
      async () => {
        try {
          await callInfo(server, ctx, attempt.authorization);
        } catch (error) {
          if (!(error instanceof RpcError)) throw error;
          if (error.code !== grpc.status.UNAUTHENTICATED) {
            throw new CaseFailure(`expected UNAUTHENTICATED, got ${error.message}`);
          }
          return pass(`${error.message}`);
        }
        throw new CaseFailure("Info succeeded; expected UNAUTHENTICATED");
      },
      notReady,
    );
  }
}

async function callInfo(
  server: ServerSession | undefined,
  ctx: ConformanceContext,
  authorization: string | null | undefined,
) {
  if (!server) throw new Error("no server session");
  return server.client.info({ timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal, authorization });
}

/** The key with its last character changed: wrong, yet as long and as hex as the right one. */
function otherKey(key: string): string {
  return key.slice(0, -1) + (key.endsWith("0") ? "1" : "0");
}
