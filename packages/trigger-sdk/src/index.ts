// The public API of @gofer/trigger-sdk: what a trigger author imports. The clock, Go durations and subscription keys
// are @gofer/kernel's, re-exported here because a trigger is handed them (TriggerContext, Subscription) or reads its
// settings with them.
export {
  type Clock,
  DurationError,
  FakeClock,
  formatGoDuration,
  formatGoDurationMs,
  formatSubscriptionKey,
  parseGoDuration,
  parseGoDurationMs,
  type SubscriptionKey,
  subscriptionKeyId,
  systemClock,
} from "@gofer/kernel";
export { EventQueue, type EventQueueOptions, type EventQueueStats, QueueClosedError } from "./event-queue.js";
export {
  ExternalEvent,
  ExternalEventParseError,
  type HmacOptions,
  parseExternalEvent,
  signHmacSha256,
  verifyHmacSha256,
} from "./external-event.js";
export {
  formatInstructions,
  type Instruction,
  type Instructions,
  InstructionsBuilder,
  instructions,
  parseInstructions,
} from "./instructions.js";
export { createJsonLineLogger, type Logger, type LoggerOptions, toWinstonLevel } from "./logger.js";
export { type CommonTaskIo, type RunCommonTaskOptions, runCommonTask } from "./run-common-task.js";
export {
  type RunTriggerOptions,
  readTriggerEnv,
  runTrigger,
  SYSTEM_PREFIX,
  type TriggerEnv,
  TriggerEnvError,
} from "./run-trigger.js";
export {
  CONFIG_PREFIX,
  getConfig,
  getParameter,
  PARAM_PREFIX,
  SettingError,
  SubscriptionSettings,
} from "./settings.js";
export {
  type RegisteredSubscription,
  SubscriptionRegistry,
  SubscriptionRemovedError,
  SubscriptionReplacedError,
} from "./subscription-registry.js";
export { generateTriggerKey, startTestTrigger, type TestTrigger, type TestTriggerOptions } from "./testing.js";
export { type Cancellable, TimerEntry, TimerQueue, type TimerTarget } from "./timer-queue.js";
export type {
  EventInput,
  EventResult,
  Subscription,
  TriggerContext,
  TriggerDefinition,
  TriggerEvent,
  TriggerFactory,
} from "./trigger.js";
export {
  checkBearer,
  type RunningTrigger,
  startTriggerServer,
  type TriggerServerOptions,
  toWatchResponse,
} from "./trigger-server.js";
export { createLevelGatedLogger, createLogger } from "./winston-logger.js";
