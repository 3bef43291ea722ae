// Case 9: Shutdown makes the trigger exit 0 (spec §3.3). Gofer always has a Watch parked when it calls Shutdown, so
// the suite parks one too: a server that waits for every open call before stopping must end that Watch itself.
import { CaseFailure, pass } from "./case-recorder.js";
import { CALL_TIMEOUT_MS, type ConformanceContext, seconds } from "./conformance-context.js";
import type { ServerSession } from "./server-session.js";
import { describeExit } from "./trigger-process.js";
import { waitAtMost } from "./wait-at-most.js";

// Long enough for the parked Watch to reach the server before Shutdown does.
const PARK_MS = 200;
// How long the parked Watch may take to end after the process has exited.
const WATCH_END_MS = 2_000;

export async function runShutdownCase(ctx: ConformanceContext, server: ServerSession | undefined): Promise<void> {
  const limitMs = ctx.options.shutdownTimeoutMs;
  await ctx.cases.run(
    "shutdown.exits",
    `Shutdown (with a Watch parked) makes the process exit 0 within ${seconds(limitMs)}`,
    async () => {
      if (!server) throw new Error("no server session");
      const parked = server.events.watchOnce(limitMs + CALL_TIMEOUT_MS).then(
        (received) => (received ? `returned an event: ${received.event.pipelineTriggerLabel}` : "ended empty"),
        (error: unknown) => `ended with ${error instanceof Error ? error.message : String(error)}`,
      );
      await ctx.clock.sleep(PARK_MS, ctx.signal);

      let shutdownAnswer = "Shutdown succeeded";
      try {
        await server.client.shutdown({ timeoutMs: CALL_TIMEOUT_MS, signal: ctx.signal });
      } catch (error) {
        ctx.signal.throwIfAborted();
        // An exit racing the answer shows up as UNAVAILABLE or CANCELLED; judge by the exit below.
        shutdownAnswer = `Shutdown answered ${error instanceof Error ? error.message : String(error)}`;
      }
      const shutdownAtMs = ctx.clock.now().getTime();
      const exit = await server.process.waitForExit(limitMs, ctx.signal);
      const afterMs = ctx.clock.now().getTime() - shutdownAtMs;
      const watchEnd = (await waitAtMost(parked, WATCH_END_MS, ctx.clock, ctx.signal)) ?? "was still parked";
      if (!exit) {
        await server.process.stop();
        throw new CaseFailure(
          `still running ${seconds(limitMs)} after Shutdown (stopped it); ${shutdownAnswer}; the parked Watch ${watchEnd}`,
        );
      }
      if (exit.code !== 0) {
        throw new CaseFailure(`${describeExit(exit)} after Shutdown; ${shutdownAnswer}; the parked Watch ${watchEnd}`);
      }
      return pass(`exited 0 within ${seconds(afterMs)}; ${shutdownAnswer}; the parked Watch ${watchEnd}`);
    },
    server ? undefined : "the server did not become ready (see server.ready)",
  );
}
