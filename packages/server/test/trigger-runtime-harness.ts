// What the trigger runtime's end-to-end tests share (trigger-runtime, trigger-uninstall, trigger-restart): servers
// started per test and destroyed after it, the interval trigger installed with a minimum below the tests' period, and
// the runs and events a user would look at.
import type { Event, Run } from "@gofer/proto";
import { afterEach } from "vitest";
import { startTestServer, type TestServer, type TestServerOptions } from "./server-harness.js";

export const WAIT = { timeout: 20_000, interval: 50 };
// Subscriptions fire every quarter second (the trigger's minimum is set below it), so a test sees runs within a
// second; the behaviour tested is the same at any period.
export const EVERY_MS = 250;
export const EVERY = `${EVERY_MS}ms`;

/** Registers cleanup in the calling test file; the returned function starts a server that is destroyed after the test. */
export function serversPerTest(): (options?: TestServerOptions) => Promise<TestServer> {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.destroy()));
    servers = [];
  });
  return async (options = {}) => {
    const s = await startTestServer(options);
    servers.push(s);
    return s;
  };
}

export async function installInterval(s: TestServer, name = "interval", image = "gofer-trigger-interval:latest") {
  await s.api.installTrigger({ name, image, user: "", pass: "", variables: { MIN_DURATION: "100ms" } });
}

export async function runsOf(s: TestServer, pipelineId: string): Promise<Run[]> {
  return (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId })).runs;
}

export async function events(
  s: TestServer,
): Promise<Array<{ kind: string; details: Record<string, unknown>; emitted: number }>> {
  const stream = s.client.listEvents({ reverse: false, follow: false });
  const out: Event[] = [];
  for await (const item of stream) out.push(item.event as Event);
  return out.map((e) => ({
    kind: e.kind,
    details: JSON.parse(e.details) as Record<string, unknown>,
    emitted: Number(e.emitted),
  }));
}
