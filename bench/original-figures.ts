// The original Gofer v0.4.1 Go triggers, measured in issue 19 beside ours on this 2-core machine (each pinned to one
// core, the same plain grpc-js client over TLS on the other, 3 alternating rounds, medians). Printed as the reference
// when no original program is passed with --compare.
export const ORIGINAL_V041 = {
  watchDrain: {
    1: { eventsPerSecond: 2_797, p99Ms: 0.71 },
    4: { eventsPerSecond: 5_661, p99Ms: Number.NaN },
  } as Record<number, { eventsPerSecond: number; p99Ms: number }>,
  rssPerSubscriptionBytes: { interval: 4_798, cron: 10_473 },
  idleRssBytes: 10 * 2 ** 20,
} as const;
