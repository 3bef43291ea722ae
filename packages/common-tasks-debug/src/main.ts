import { runCommonTask } from "@gofer/trigger-sdk";
import { debugInstructions, runDebugTask } from "./debug-task.js";

process.exitCode = await runCommonTask(runDebugTask, debugInstructions());
