// The ExternalEvent cases: Gofer forwards webhooks as HTTP/1.1 request bytes (spec §2.9).
//   external.survives      (core, every trigger) an ExternalEvent call is answered (OK or an error status) and the
//                          trigger still answers Info afterwards; the originals without webhooks return empty
//   external.event         (webhook triggers only) a correctly signed delivery for a subscribed event and repository makes
//                          Watch deliver a SUCCESS event with the expected details and metadata
//   external.bad-signature (webhook triggers) the same delivery with a wrong signature is refused with an error
//                          status, and no event follows it
import { createHmac } from "node:crypto";
import { TriggerWatchResponse_Result } from "@gofer/proto";
import { CaseFailure, pass } from "./case-recorder.js";
import { CALL_TIMEOUT_MS, type ConformanceContext, LABEL, seconds } from "./conformance-context.js";
import type { ServerSession } from "./server-session.js";
import { describeEvent, isLabel } from "./subscription-cases.js";
import { RpcError } from "./trigger-client.js";
import type { WebhookExpectations } from "./trigger-profile.js";

/** How long the suite watches for an event that must not come. */
const QUIET_MS = 1_500;

/** A push delivery in GitHub's documented shape, as Gofer would forward it. */
export function githubDelivery(webhook: WebhookExpectations, secret: string, deliveryId: string): Buffer {
  const [owner = "", name = ""] = webhook.repository.split("/");
  const body = Buffer.from(
    JSON.stringify({
      ref: "refs/heads/main",
      before: "0000000000000000000000000000000000000000",
      after: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
      repository: { id: 1, name, full_name: webhook.repository, owner: { login: owner, name: owner } },
      pusher: { name: owner, email: `${owner}@example.com` },
      head_commit: {
        id: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        message: "conformance",
        timestamp: "2026-01-01T00:00:00Z",
        author: { name: "Conformance", email: "conformance@example.com", username: "conformance" },
        committer: { name: "Conformance", email: "conformance@example.com", username: "conformance" },
      },
    }),
  );
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const head = [
    "POST /external/github HTTP/1.1",
    "Host: localhost:8081",
    "User-Agent: GitHub-Hookshot/conformance",
    `Content-Length: ${body.length}`,
    "Accept: */*",
    `X-GitHub-Delivery: ${deliveryId}`,
    `X-GitHub-Event: ${webhook.event}`,
    "X-GitHub-Hook-ID: 1",
    `X-Hub-Signature-256: ${signature}`,
    "Content-Type: application/json",
    "",
    "",
  ].join("\r\n");
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

export async function runExternalEventCases(ctx: ConformanceContext, server: ServerSession | undefined): Promise<void> {
  const notReady = server ? undefined : "the server did not become ready (see server.ready)";
  const call = { timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal };
  const live = server as ServerSession;

  await ctx.cases.run(
    "external.survives",
    "an ExternalEvent call is answered, and the trigger keeps serving",
    async () => {
      const payload = Buffer.from(
        "POST /external/x HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
      );
      let answered = "OK";
      try {
        await live.client.externalEvent(payload, call);
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        if (error.codeName === "DEADLINE_EXCEEDED") {
          throw new CaseFailure(`ExternalEvent got no answer within ${seconds(CALL_TIMEOUT_MS)}`);
        }
        answered = error.message;
      }
      try {
        await live.client.info(call);
      } catch (error) {
        throw new CaseFailure(`Info failed after an ExternalEvent: ${(error as Error).message}`);
      }
      return pass(`answered ${answered}; Info still answers`);
    },
    notReady,
  );

  // Triggers that fire on time have no webhook cases (they are not even listed as skipped).
  const expectations = ctx.profile.webhook;
  if (!expectations) return;
  const webhook = expectations;
  const notSubscribed = notReady ?? (live.subscribed.has(LABEL) ? undefined : "subscribe.valid did not succeed");

  await ctx.cases.run(
    "external.event",
    `a signed ${webhook.event} delivery makes Watch deliver an event for ${LABEL}`,
    async () => {
      const sentMs = ctx.clock.now().getTime();
      try {
        await live.client.externalEvent(githubDelivery(expectations, expectations.secret, "conformance-1"), call);
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        throw new CaseFailure(`ExternalEvent was refused with ${error.message}`);
      }
      const found = await live.events.waitFor(isLabel(LABEL), sentMs + 5_000);
      if (!found) throw new CaseFailure(`no event for ${LABEL} within 5 s of the delivery`);
      const { event } = found;
      if (event.result !== TriggerWatchResponse_Result.SUCCESS || event.details !== expectations.details) {
        throw new CaseFailure(`expected SUCCESS "${expectations.details}", got ${describeEvent(event)}`);
      }
      const missing = Object.entries(expectations.metadata).filter(([k, v]) => event.metadata[k] !== v);
      if (missing.length > 0) {
        throw new CaseFailure(
          `metadata lacks ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}; got ${JSON.stringify(event.metadata)}`,
        );
      }
      return pass(`${seconds(found.atMs - sentMs)} after the delivery: ${describeEvent(event)}`);
    },
    notSubscribed,
  );

  await ctx.cases.run(
    "external.bad-signature",
    "a delivery with a wrong signature is refused and starts nothing",
    async () => {
      const sentMs = ctx.clock.now().getTime();
      let refusal: string | undefined;
      try {
        await live.client.externalEvent(githubDelivery(expectations, "not-the-secret", "conformance-2"), call);
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        refusal = error.message;
      }
      const found = await live.events.waitFor(isLabel(LABEL), sentMs + QUIET_MS);
      if (found) throw new CaseFailure(`an event followed a forged delivery: ${describeEvent(found.event)}`);
      if (refusal === undefined) throw new CaseFailure("ExternalEvent answered OK; expected an error status");
      return pass(`refused with ${refusal}; no event within ${seconds(QUIET_MS)}`);
    },
    notSubscribed,
  );
}
