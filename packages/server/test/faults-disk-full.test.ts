// sqlite disk-full: the server's data directory is a small tmpfs; while it is full, trigger events cannot be
// recorded and are retried (the watcher keeps them, the trigger keeps its queue); once space is back every event is
// recorded and resolved, none lost, and runs go on. Needs root to mount a tmpfs (CI runs as root); skipped otherwise.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Event } from "@gofer/proto";
import { afterEach, describe, expect, test, vi } from "vitest";
import winston from "winston";
import { intervalPipeline, startTestServer, type TestServer } from "./server-harness.js";

function tryMount(dir: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const mountPoint = mkdtempSync(join(tmpdir(), "gofer-diskfull-"));
const mounted = tryMount(mountPoint);
if (!mounted) rmSync(mountPoint, { recursive: true, force: true });
let server: TestServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
  if (!mounted) return;
  execFileSync("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes zeros until the file system is full; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, "filler");
  const chunk = Buffer.alloc(64 * 1024);
  const parts: Buffer[] = [];
  for (;;) {
    try {
      parts.push(chunk);
      writeFileSync(path, Buffer.concat(parts));
    } catch {
      return path;
    }
  }
}

async function events(s: TestServer): Promise<Event[]> {
  const out: Event[] = [];
  for await (const item of s.client.listEvents({ reverse: false, follow: false })) out.push(item.event as Event);
  return out;
}

describe.skipIf(!mounted)("sqlite disk-full", () => {
  test("events that could not be recorded while the disk was full are recorded once space is back; none lost", async () => {
    // The server's log tells when a fired event could not be recorded (the first attempt of each such event).
    const unrecordedEvents: unknown[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        const line = JSON.parse(String(chunk)) as { message?: string; attempt?: number };
        if (line.message === "could not record trigger event; retrying" && line.attempt === 1)
          unrecordedEvents.push(line);
        done();
      },
    });
    const logger = winston.createLogger({
      level: "error",
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    server = await startTestServer({ dir: mountPoint, logger });
    const s = server;
    await s.api.installTrigger({
      name: "interval",
      image: "gofer-trigger-interval:latest",
      user: "",
      pass: "",
      variables: { MIN_DURATION: "1s" },
    });
    await s.api.createPipeline({ namespaceId: "default", pipelineConfig: intervalPipeline("full") });
    const fired = async () => (await events(s)).filter((e) => e.kind === "FIRED_TRIGGER_EVENT");
    await vi.waitFor(async () => expect((await fired()).length).toBeGreaterThanOrEqual(2), {
      timeout: 20_000,
      interval: 100,
    });

    const filler = fill(mountPoint);
    // While full, nothing new is recorded (a few may still fit in freed pages): wait until 4 ticks of the trigger
    // could not be recorded, so that losing them would leave a gap the count below notices.
    const before = unrecordedEvents.length;
    await vi.waitFor(() => expect(unrecordedEvents.length).toBeGreaterThanOrEqual(before + 4), {
      timeout: 20_000,
      interval: 100,
    });
    rmSync(filler);
    const spaceBack = Date.now();

    await vi.waitFor(
      async () => {
        const all = await fired();
        const last = Number(all.at(-1)?.emitted ?? 0n);
        expect(last).toBeGreaterThan(spaceBack + 2_000);
      },
      { timeout: 20_000, interval: 200 },
    );
    const all = await events(s);
    const firedEvents = all.filter((e) => e.kind === "FIRED_TRIGGER_EVENT");
    const resolvedEvents = all.filter((e) => e.kind === "RESOLVED_TRIGGER_EVENT");
    expect(resolvedEvents.length).toBe(firedEvents.length);
    // One tick per second: the ticks of the full stretch are there too (recorded late), not a gap of ~4. (Recording
    // times are what the log holds, so a tick of slack either side.)
    const first = Number(firedEvents[0]?.emitted ?? 0n);
    const last = Number(firedEvents.at(-1)?.emitted ?? 0n);
    expect(firedEvents.length).toBeGreaterThanOrEqual(Math.floor((last - first) / 1000) - 2);
    // Runs go on.
    const runs = (await s.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId: "full" })).runs;
    expect(runs.some((r) => Number(r.started) > spaceBack)).toBe(true);
  }, 60_000);
});
