// The public API of @gofer/trigger-sdk/conformance: run the v0.4 trigger contract checks against any trigger binary
// or image, and render the report.
export type { ConformanceOptions, ConformanceProfile, TriggerKind, TriggerTarget } from "./options.js";
export { OptionsError, parseConformanceArgs } from "./options.js";
export type { CaseResult, CaseStatus, ConformanceReport } from "./report.js";
export { formatCaseResult, formatReport } from "./report.js";
export { runConformance } from "./run-conformance.js";
