// A harness for testing a trigger without Gofer: starts it in-process over real TLS on 127.0.0.1 with a fresh key and
// certificate, and hands back a client that sends the key. Pass a FakeClock to move its timers without sleeping.
import { randomBytes } from "node:crypto";
import { generateCertificate, TriggerClient } from "@gofer/kernel";
import type { Clock } from "@gofer/kernel/clock";
import { createJsonLineLogger, type Logger } from "./logger.js";
import type { TriggerFactory } from "./trigger.js";
import { type RunningTrigger, startTriggerServer } from "./trigger-server.js";

export interface TestTriggerOptions {
  name?: string;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  queueCapacity?: number;
  logger?: Logger;
}

export interface TestTrigger {
  readonly client: TriggerClient;
  readonly running: RunningTrigger;
  readonly key: string;
  readonly certPem: string;
  readonly address: string;
  /** Stops the trigger and closes the client; safe to call twice. */
  close(): Promise<void>;
}

/** A fresh Gofer-style trigger key: 32 random bytes as 64 lowercase hex characters. */
export function generateTriggerKey(): string {
  return randomBytes(32).toString("hex");
}

export async function startTestTrigger(
  factory: TriggerFactory,
  options: TestTriggerOptions = {},
): Promise<TestTrigger> {
  const key = generateTriggerKey();
  const tls = await generateCertificate();
  const running = await startTriggerServer(factory, {
    name: options.name ?? "test",
    key,
    host: "127.0.0.1:0",
    tls,
    logger: options.logger ?? createJsonLineLogger({ silent: true }),
    ...(options.clock ? { clock: options.clock } : {}),
    env: options.env ?? {},
    ...(options.queueCapacity ? { queueCapacity: options.queueCapacity } : {}),
    forceStopAfterMs: 2_000,
  });
  const address = `127.0.0.1:${running.port}`;
  const client = new TriggerClient({ address, key, certPem: tls.certPem });
  return {
    client,
    running,
    key,
    certPem: tls.certPem,
    address,
    async close() {
      client.close();
      await running.stop("test finished");
    },
  };
}
