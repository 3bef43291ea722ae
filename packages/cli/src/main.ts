#!/usr/bin/env node
// `gofer`: the command line of the original (spec §6). Order 6 fills in the rest of the tree.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { serviceCommand } from "./commands/service.js";

await yargs(hideBin(process.argv))
  .scriptName("gofer")
  .option("config", { type: "string", describe: "Path to a configuration file" })
  .command("service", "Manage the Gofer server", serviceCommand)
  .demandCommand(1)
  .strict()
  .fail((message, error, y) => {
    process.stderr.write(`gofer: ${error?.message ?? message}\n\n${message ? y.help() : ""}`);
    process.exit(error ? 1 : 2);
  })
  .help()
  .parseAsync();
