// Watches a trigger the way Gofer does (one outstanding Watch at a time) and records every event it gets, with the
// time it arrived, so cases can reason about what arrived when.

import type { Clock } from "@gofer/kernel/clock";
import type { TriggerWatchResponse } from "@gofer/proto";
import * as grpc from "@grpc/grpc-js";
import { type ConformanceClient, RpcError } from "./trigger-client.js";

export interface ReceivedEvent {
  readonly event: TriggerWatchResponse;
  /** Clock time (ms) at which the Watch returned it. */
  readonly atMs: number;
}

// An empty Watch response means "nothing happened" (spec §1.2, §2.6). Gofer re-Watches at once; a trigger that answers
// empty immediately would turn that into a hot loop, so the collector waits this long between such answers.
const EMPTY_ANSWER_PAUSE_MS = 100;

export class EventCollector {
  /** Every event received so far, oldest first. */
  readonly received: ReceivedEvent[] = [];
  private busy = false;

  constructor(
    private readonly client: ConformanceClient,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {}

  nowMs(): number {
    return this.clock.now().getTime();
  }

  /**
   * One Watch with a deadline. Resolves with the event, or undefined when the deadline passed, `cancel` aborted the
   * call, or the trigger answered with an empty response. Other statuses reject with RpcError.
   */
  async watchOnce(timeoutMs: number, cancel?: AbortSignal): Promise<ReceivedEvent | undefined> {
    if (this.busy) throw new Error("a Watch is already outstanding; the suite keeps at most one, as Gofer does");
    this.signal.throwIfAborted();
    this.busy = true;
    const startedMs = this.nowMs();
    try {
      const signal = cancel ? AbortSignal.any([this.signal, cancel]) : this.signal;
      const event = await this.client.watch({ timeoutMs: Math.max(1, timeoutMs), signal });
      if (event.pipelineTriggerLabel === "") {
        const pauseMs = Math.min(
          EMPTY_ANSWER_PAUSE_MS - (this.nowMs() - startedMs),
          startedMs + timeoutMs - this.nowMs(),
        );
        if (pauseMs > 0) await this.clock.sleep(pauseMs, signal);
        return undefined;
      }
      const received = { event, atMs: this.nowMs() };
      this.received.push(received);
      return received;
    } catch (error) {
      this.signal.throwIfAborted();
      if (cancel?.aborted) return undefined;
      if (error instanceof RpcError && error.code === grpc.status.DEADLINE_EXCEEDED) return undefined;
      throw error;
    } finally {
      this.busy = false;
    }
  }

  /** Watches until an event matching `accept` arrives, or untilMs passes (then undefined). */
  async waitFor(accept: (event: TriggerWatchResponse) => boolean, untilMs: number): Promise<ReceivedEvent | undefined> {
    for (let remaining = untilMs - this.nowMs(); remaining > 0; remaining = untilMs - this.nowMs()) {
      const received = await this.watchOnce(remaining);
      if (received && accept(received.event)) return received;
    }
    return undefined;
  }

  /** Watches until untilMs and returns what arrived. */
  async collectUntil(untilMs: number): Promise<ReceivedEvent[]> {
    const collected: ReceivedEvent[] = [];
    for (let remaining = untilMs - this.nowMs(); remaining > 0; remaining = untilMs - this.nowMs()) {
      const received = await this.watchOnce(remaining);
      if (received) collected.push(received);
    }
    return collected;
  }

  /**
   * Takes what is already queued: Watches until one call stays empty for quietMs (or maxMs passes in total) and
   * returns what arrived.
   */
  async drain(quietMs: number, maxMs: number): Promise<ReceivedEvent[]> {
    const collected: ReceivedEvent[] = [];
    const untilMs = this.nowMs() + maxMs;
    while (this.nowMs() < untilMs) {
      const received = await this.watchOnce(Math.min(quietMs, untilMs - this.nowMs()));
      if (!received) break;
      collected.push(received);
    }
    return collected;
  }
}
