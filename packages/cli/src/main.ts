#!/usr/bin/env node
// `gofer`: the command line of the original (spec §6). This file is the only one that reads `process` for the CLI.
import { homedir } from "node:os";
import { systemClock } from "@gofer/kernel/clock";
import { hideBin } from "yargs/helpers";
import { runCli } from "./cli.js";

// `gofer event list | head`: the reader went away; stop quietly, as other command-line tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(hideBin(process.argv), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  clock: systemClock,
  execPath: process.execPath,
});
