// A heartbeat trigger: every subscription fires every EVERY (a Go duration such as "30s"), at most as often as the
// install config MIN_EVERY allows (default 1s), and counts its beats in the event's metadata.
import { getConfig, instructions, parseGoDurationMs, runTrigger, type TriggerFactory } from "@gofer/trigger-sdk";

const heartbeat: TriggerFactory = ({ clock, timers }) => {
  const minEveryMs = parseGoDurationMs(getConfig("MIN_EVERY") || "1s");
  return {
    documentation: "https://example.com/heartbeat-trigger",
    subscribe(subscription) {
      // Throwing refuses the subscription; Gofer shows the message to the pipeline's author.
      const every = subscription.settings.require("every");
      const everyMs = parseGoDurationMs(every);
      if (everyMs < minEveryMs) throw new Error(`every "${every}": must be at least MIN_EVERY (${minEveryMs} ms)`);
      const start = clock.now().getTime();
      let beat = 0;
      const fire = () => {
        if (subscription.aborted) return; // unsubscribed, replaced, or shutting down
        beat += 1;
        void subscription.emit({ details: `heartbeat ${beat}`, metadata: { HEARTBEAT_BEAT: String(beat) } });
        timers.schedule(start + (beat + 1) * everyMs, fire, subscription);
      };
      timers.schedule(start + everyMs, fire, subscription);
    },
  };
};

const installInstructions = instructions()
  .message("The heartbeat trigger fires every EVERY.")
  .query("Smallest EVERY a pipeline may ask for (a Go duration, default 1s)", "min_every")
  .build();

process.exitCode = await runTrigger(heartbeat, installInstructions);
