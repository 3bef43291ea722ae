// The trigger binary: `./trigger server` or `./trigger installer` (spec §3.1).
import { runTrigger } from "@gofer/trigger-sdk";
import { createGithubTrigger, githubInstructions } from "./github-trigger.js";

process.exitCode = await runTrigger(createGithubTrigger, githubInstructions());
