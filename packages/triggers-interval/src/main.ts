import { runTrigger } from "@gofer/trigger-sdk";
import { createIntervalTrigger, intervalInstructions } from "./interval-trigger.js";

process.exitCode = await runTrigger(createIntervalTrigger, intervalInstructions());
