// Resident memory per subscription in a trigger process holding 10,000 interval and 10,000 cron subscriptions
// (target ≤ 1 KB each; the original Go triggers used 4.8 KB per interval and 9.6 KB per cron subscription).
import { fileURLToPath } from "node:url";
import { printTable, type Row } from "./report.js";
import { startBenchTrigger } from "./trigger-process.js";

const SUBSCRIPTIONS = 10_000;
const trigger = (name: string) => fileURLToPath(new URL(`../packages/triggers-${name}/trigger`, import.meta.url));

async function measure(name: string, config: Record<string, string>, env: NodeJS.ProcessEnv): Promise<Row> {
  const t = await startBenchTrigger([trigger(name)], env);
  // Let start-up allocation settle, then take the baseline.
  for (let i = 0; i < 20; i++) await t.client.info();
  await new Promise((r) => setTimeout(r, 500));
  const before = t.rssBytes();
  let next = 0;
  const worker = async () => {
    while (next < SUBSCRIPTIONS) {
      const i = next++;
      await t.client.subscribe({
        namespaceId: `ns${i % 100}`,
        pipelineId: `pipeline_${i}`,
        pipelineTriggerLabel: "label",
        config,
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
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

printTable(`RSS per subscription (${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions, one trigger process each)`, [
  await measure("interval", { EVERY: "1h" }, { MIN_DURATION: "1s" }),
  await measure("cron", { EXPRESSION: "0 3 * * *" }, {}),
]);
