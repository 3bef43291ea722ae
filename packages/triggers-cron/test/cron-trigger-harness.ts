// Runs the cron trigger in-process without gRPC: the SDK's real TimerQueue on a FakeClock, and subscriptions whose
// emit() records the event (or, with `holdEmits`, waits until the test releases it, like a full event queue).
import {
  createLogger,
  type EventInput,
  type FakeClock,
  type Subscription,
  type SubscriptionKey,
  SubscriptionSettings,
  TimerQueue,
  type TriggerDefinition,
} from "@gofer/trigger-sdk";
import { createCronTrigger } from "../src/cron-trigger.js";

export interface RecordedEvent extends EventInput {
  key: SubscriptionKey;
  /** The clock's time when the event was queued. */
  queuedAt: string;
}

export class CronHarness {
  readonly events: RecordedEvent[] = [];
  readonly timers: TimerQueue;
  readonly trigger: TriggerDefinition;
  /** While set, emit() waits until release() is called. */
  holdEmits = false;
  private readonly lifetime = new AbortController();
  private held: Array<() => void> = [];

  constructor(readonly clock: FakeClock) {
    this.timers = new TimerQueue(clock);
    void this.timers.start(this.lifetime.signal);
    this.trigger = createCronTrigger({
      name: "cron",
      clock,
      logger: createLogger({ silent: true }),
      env: {},
      timers: this.timers,
      signal: this.lifetime.signal,
      subscriptions: () => [],
    });
  }

  /** Subscribes like Gofer's Subscribe call; returns the controller that ends the subscription. */
  subscribe(config: Record<string, string>, pipelineId = "nightly"): AbortController {
    const controller = new AbortController();
    const key = { namespaceId: "default", pipelineId, label: "cron" };
    const subscription: Subscription = {
      key,
      settings: new SubscriptionSettings(config),
      signal: controller.signal,
      get aborted() {
        return controller.signal.aborted;
      },
      emit: async (event) => {
        if (this.holdEmits) await new Promise<void>((resolve) => this.held.push(resolve));
        if (controller.signal.aborted) return false;
        this.events.push({ ...event, key, queuedAt: this.clock.now().toISOString() });
        return true;
      },
    };
    this.trigger.subscribe(subscription);
    return controller;
  }

  /** Lets every waiting emit() finish. */
  async release(): Promise<void> {
    this.holdEmits = false;
    for (const resolve of this.held.splice(0)) resolve();
    await this.clock.advance(0);
  }

  scheduledTimes(pipelineId?: string): string[] {
    return this.events
      .filter((event) => pipelineId === undefined || event.key.pipelineId === pipelineId)
      .map((event) => event.metadata?.GOFER_TRIGGER_CRON_SCHEDULED_TIME ?? "?");
  }

  stop(): void {
    this.lifetime.abort();
  }
}
