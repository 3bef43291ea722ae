// The debug common task's public API (for tests and for authors reading an example).
export { debugInstructions, REDACTED, runDebugTask } from "./debug-task.js";
