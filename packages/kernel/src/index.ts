// The public API of @gofer/kernel: what Gofer's server, CLI, trigger SDK and conformance suite share, and a trigger
// author does not import directly (the trigger SDK re-exports the clock, durations and subscription keys it hands to
// triggers). The CLI imports the dependency-free modules by subpath (@gofer/kernel/clock, /closest-name), so that
// its start does not load grpc-js.

export { type CertificateOptions, type CertificatePair, generateCertificate } from "./certificates.js";
export { type Clock, FakeClock, systemClock } from "./clock.js";
export { closestName } from "./closest-name.js";
export {
  DurationError,
  formatGoDuration,
  formatGoDurationMs,
  parseGoDuration,
  parseGoDurationMs,
} from "./go-duration.js";
export { formatSubscriptionKey, type SubscriptionKey, subscriptionKeyId } from "./subscription-key.js";
export {
  type CallOptions,
  exactTrustCredentials,
  TriggerClient,
  type TriggerClientOptions,
} from "./trigger-client.js";
export { type WatchCallOptions, WatchChannel, type WatchChannelOptions, type WatchError } from "./watch-channel.js";
