export {
  createIntervalTrigger,
  DEFAULT_MIN_DURATION,
  EVENT_DETAILS,
  INTERVAL_DOCUMENTATION,
  IntervalConfigError,
  type IntervalStats,
  intervalInstructions,
  parseEvery,
  readMinDuration,
} from "./interval-trigger.js";
