// The secret store's file on its own: what is on disk, and what happens when the server starts with the wrong key.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "@gofer/kernel";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SecretStore } from "../src/stores/secret-store.js";
import { intervalPipeline, startTestServer } from "./server-harness.js";

const KEY_A = "a".repeat(32);
const KEY_B = "b".repeat(32);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "gofer-secrets-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const ref = { namespaceId: "default", pipelineId: "app" };

describe("the secret store file", () => {
  it("gives each write a fresh nonce, so equal values are stored differently", () => {
    const path = join(tempDir(), "s.db");
    const store = SecretStore.open(path, KEY_A, new FakeClock());
    store.putPipelineSecret(ref, "one", "same value", false);
    store.putPipelineSecret(ref, "two", "same value", false);
    store.close();
    const raw = new BetterSqlite3(path);
    const values = raw.prepare("SELECT value FROM pipeline_secrets ORDER BY key").all() as Array<{ value: Buffer }>;
    raw.close();
    expect(values).toHaveLength(2);
    expect(values[0]?.value.equals(values[1]?.value as Buffer)).toBe(false);
    expect(values[0]?.value.includes("same value")).toBe(false);
  });

  it("does not serve a value copied into another secret's row", () => {
    const path = join(tempDir(), "s.db");
    const store = SecretStore.open(path, KEY_A, new FakeClock());
    store.putPipelineSecret(ref, "prod_key", "production", false);
    store.putPipelineSecret({ namespaceId: "default", pipelineId: "other" }, "k", "harmless", false);
    const raw = new BetterSqlite3(path);
    raw.exec(
      "UPDATE pipeline_secrets SET value = (SELECT value FROM pipeline_secrets WHERE key = 'prod_key') WHERE key = 'k'",
    );
    raw.close();
    expect(() => store.getPipelineSecret({ namespaceId: "default", pipelineId: "other" }, "k", true)).toThrow(
      "stored secret could not be decrypted (wrong encryption key or damaged value)",
    );
    store.close();
  });

  it("refuses to open with another key than the one it was created with", () => {
    const path = join(tempDir(), "s.db");
    SecretStore.open(path, KEY_A, new FakeClock()).close();
    expect(() => SecretStore.open(path, KEY_B, new FakeClock())).toThrow(
      `secret store ${path}: secret_store.sqlite.encryption_key is not the key this store was created with; start with the original key (the key cannot be changed in place)`,
    );
    SecretStore.open(path, KEY_A, new FakeClock()).close();
  });

  it("stops the server from starting with a wrong key, with that message", async () => {
    const dir = tempDir();
    const first = await startTestServer({ dir, set: { "secret_store.sqlite.encryption_key": KEY_A } });
    await first.api.putGlobalSecret({ key: "k", content: "v", force: false });
    await first.stop();
    await expect(startTestServer({ dir, set: { "secret_store.sqlite.encryption_key": KEY_B } })).rejects.toThrow(
      "secret_store.sqlite.encryption_key is not the key this store was created with",
    );
    const again = await startTestServer({ dir, set: { "secret_store.sqlite.encryption_key": KEY_A } });
    expect((await again.api.getGlobalSecret({ key: "k", includeSecret: true })).secret).toBe("v");
    await again.stop();
  }, 30_000);

  it("a restart re-resolves trigger settings: a deleted secret leaves an error on the pipeline naming the key", async () => {
    const dir = tempDir();
    const first = await startTestServer({ dir });
    await first.api.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    await first.api.putPipelineSecret({
      namespaceId: "default",
      pipelineId: "tick",
      key: "period",
      content: "1h",
      force: false,
    });
    const config = intervalPipeline("tick", "1h", "every");
    config.triggers = [{ name: "interval", label: "every", settings: { EVERY: "pipeline_secret{{period}}" } }];
    await first.api.createPipeline({ namespaceId: "default", pipelineConfig: config });
    await first.api.deletePipelineSecret({ namespaceId: "default", pipelineId: "tick", key: "period" });
    await first.stop();
    const again = await startTestServer({ dir });
    try {
      await vi.waitFor(
        async () => {
          const pipeline = (await again.api.getPipeline({ namespaceId: "default", id: "tick" })).pipeline;
          expect(pipeline?.errors.map((e) => e.description)).toEqual([
            'subscription "every": could not subscribe subscription "every" of pipeline "default/tick" to trigger "interval": setting "EVERY": pipeline_secret{{period}}: pipeline "default/tick" has no secret "period"',
          ]);
        },
        { timeout: 20_000, interval: 50 },
      );
    } finally {
      await again.stop();
    }
  }, 60_000);
});
