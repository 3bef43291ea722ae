// Resident memory per subscription in a trigger process holding 10,000 interval and 10,000 cron subscriptions
// (target ≤ 1 KB each; the original Go triggers used 4.8 KB per interval and 9.6 KB per cron subscription).
import { fileURLToPath } from "node:url";
import type { TriggerClient } from "@gofer/kernel";
import { FakeClock, startTestTrigger, type TriggerFactory } from "@gofer/trigger-sdk";
import { createCronTrigger } from "@gofer/triggers-cron";
import { createIntervalTrigger } from "@gofer/triggers-interval";
import { printTable, type Row } from "./report.js";
import { startBenchTrigger } from "./trigger-process.js";

const SUBSCRIPTIONS = 10_000;

/** SUBSCRIPTIONS distinct subscriptions, 32 Subscribe calls in flight at a time. */
async function subscribeMany(client: TriggerClient, config: Record<string, string>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < SUBSCRIPTIONS) {
      const i = next++;
      await client.subscribe({
        namespaceId: `ns${i % 100}`,
        pipelineId: `pipeline_${i}`,
        pipelineTriggerLabel: "label",
        config,
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}
const trigger = (name: string) => fileURLToPath(new URL(`../packages/triggers-${name}/trigger`, import.meta.url));

async function measure(name: string, config: Record<string, string>, env: NodeJS.ProcessEnv): Promise<Row> {
  const t = await startBenchTrigger([trigger(name)], env);
  // Let start-up allocation settle, then take the baseline.
  for (let i = 0; i < 20; i++) await t.client.info();
  await new Promise((r) => setTimeout(r, 500));
  const before = t.rssBytes();
  await subscribeMany(t.client, config);
  await new Promise((r) => setTimeout(r, 1_000));
  const after = t.rssBytes();
  const registered = (await t.client.info()).registered.length;
  await t.stop();
  return {
    trigger: name,
    subscriptions: registered,
    "RSS before (MB)": before / 2 ** 20,
    "RSS after (MB)": after / 2 ** 20,
    "bytes per subscription": Math.round((after - before) / SUBSCRIPTIONS),
  };
}

/**
 * Heap retained per subscription: the trigger runs in this process, the subscriptions arrive over gRPC, and a full GC
 * before each measurement removes the RPC garbage, leaving what the subscriptions themselves hold.
 */
async function retained(
  name: string,
  factory: TriggerFactory,
  config: Record<string, string>,
  env: NodeJS.ProcessEnv,
): Promise<Row> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (pnpm bench does)");
  const t = await startTestTrigger(factory, { clock: new FakeClock(), env });
  const heap = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  await t.client.info();
  const before = heap();
  await subscribeMany(t.client, config);
  const after = heap();
  await t.close();
  return {
    trigger: name,
    subscriptions: SUBSCRIPTIONS,
    "retained heap per subscription (bytes)": Math.round((after - before) / SUBSCRIPTIONS),
  };
}

printTable(`Heap retained per subscription (${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions, after a full GC)`, [
  await retained("interval", createIntervalTrigger, { EVERY: "1h" }, { MIN_DURATION: "1s" }),
  await retained("cron", createCronTrigger, { EXPRESSION: "0 3 * * *" }, {}),
]);

printTable(`RSS per subscription (${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions, one trigger process each)`, [
  await measure("interval", { EVERY: "1h" }, { MIN_DURATION: "1s" }),
  await measure("cron", { EXPRESSION: "0 3 * * *" }, {}),
]);
