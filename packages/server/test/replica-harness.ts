// Servers sharing one Postgres database, each in a process of its own (fixtures/standalone-server.ts) so a test can
// kill -9 one: what replicas.test.ts and bench/replicas.bench.ts share. Every child is killed by stopAll().
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event, Run } from "@gofer/proto";
import { type ChildServer, startChildServer } from "./server-harness.js";

export interface Replica extends ChildServer {
  readonly dir: string;
}

export interface LoggedEvent {
  readonly kind: string;
  readonly details: Record<string, unknown>;
  readonly emitted: number;
}

export class ReplicaSet {
  readonly replicas: Replica[] = [];

  constructor(
    private readonly url: string,
    private readonly leaseMs: number,
  ) {}

  /** Starts one more server on the database, with a data directory of its own. */
  async add(): Promise<Replica> {
    const dir = mkdtempSync(join(tmpdir(), "gofer-replica-"));
    const child = await startChildServer(dir, "process", {
      "server.storage_engine": "postgres",
      "server.storage_url": this.url,
      "server.replica_lease": `${this.leaseMs}ms`,
      "secret_store.sqlite.path": join(dir, "gofer-secret.db"),
      "object_store.sqlite.path": join(dir, "gofer-object.db"),
    });
    const replica = Object.assign(child, { dir });
    this.replicas.push(replica);
    return replica;
  }

  /** Kills every server still running (SIGKILL: nothing of theirs must outlive the test) and removes their files. */
  async stopAll(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.kill(signal)));
    for (const replica of this.replicas) rmSync(replica.dir, { recursive: true, force: true });
    this.replicas.length = 0;
  }
}

export async function installIntervalOn(replica: Replica): Promise<void> {
  await replica.api.installTrigger({
    name: "interval",
    image: "gofer-trigger-interval:latest",
    user: "",
    pass: "",
    variables: { MIN_DURATION: "100ms" },
  });
}

export async function eventsOf(replica: Replica): Promise<LoggedEvent[]> {
  const out: Event[] = [];
  for await (const item of replica.client.listEvents({ reverse: false, follow: false })) out.push(item.event as Event);
  return out.map((e) => ({
    kind: e.kind,
    details: JSON.parse(e.details) as Record<string, unknown>,
    emitted: Number(e.emitted),
  }));
}

/** Who held the interval trigger, in order: [replica id, TOOK_TRIGGER event]. */
export function holders(events: readonly LoggedEvent[], trigger = "interval"): LoggedEvent[] {
  return events.filter((e) => e.kind === "TOOK_TRIGGER" && e.details.name === trigger);
}

export async function runsOf(replica: Replica, pipelineId: string): Promise<Run[]> {
  return (await replica.api.listRuns({ offset: 0n, limit: 0n, namespaceId: "default", pipelineId })).runs;
}
