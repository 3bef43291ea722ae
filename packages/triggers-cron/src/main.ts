// The trigger binary: `./trigger server` or `./trigger installer` (spec §3.1).
import { runTrigger } from "@gofer/trigger-sdk";
import { createCronTrigger } from "./cron-trigger.js";
import { CRON_INSTRUCTIONS } from "./install-instructions.js";

process.exitCode = await runTrigger(createCronTrigger, CRON_INSTRUCTIONS);
