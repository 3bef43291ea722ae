// The public API of @gofer/trigger-sdk: what a trigger author imports, plus the pieces Gofer's server shares
// (clock, Go durations, certificates, the trigger client).
export { type Clock, FakeClock, systemClock } from "./clock.js";
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
  DurationError,
  formatGoDuration,
  formatGoDurationMs,
  parseGoDuration,
  parseGoDurationMs,
} from "./go-duration.js";
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
  formatSubscriptionKey,
  type RegisteredSubscription,
  type SubscriptionKey,
  SubscriptionRegistry,
  SubscriptionRemovedError,
  SubscriptionReplacedError,
  subscriptionKeyId,
} from "./subscription-registry.js";
export { generateTriggerKey, startTestTrigger, type TestTrigger, type TestTriggerOptions } from "./testing.js";
export { type Cancellable, TimerQueue, type TimerTarget } from "./timer-queue.js";
export { type CertificateOptions, type CertificatePair, generateCertificate } from "./tls.js";
export type {
  EventInput,
  EventResult,
  Subscription,
  TriggerContext,
  TriggerDefinition,
  TriggerEvent,
  TriggerFactory,
} from "./trigger.js";
export { exactTrustCredentials, TriggerClient, type TriggerClientOptions } from "./trigger-client.js";
export {
  checkBearer,
  type RunningTrigger,
  startTriggerServer,
  type TriggerServerOptions,
  toWatchResponse,
} from "./trigger-server.js";
export { createLevelGatedLogger, createLogger } from "./winston-logger.js";
