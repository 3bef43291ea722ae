// `gofer trigger …` (also `gofer triggers …`, as the v0.4 docs wrote it): install, uninstall, list, get, enable,
// disable (spec §6). Fixed from v0.4.1 (§7 #25): -c KEY=VALUE installs without questions and without --manual;
// [Y/n] defaults to yes; answers may hold spaces; without a terminal the command says what to pass instead of
// waiting; a spinner shows while the server fetches and starts the image.
import type { Argv, CommandModule } from "yargs";
import { usageError } from "../exit-codes.js";
import { parseKeyValueFlags } from "../key-value-flags.js";
import { requireTerminal, terminalPrompter } from "../prompt.js";
import { action, type CommandContext, type GlobalArgs } from "../session.js";
import { triggerDetails, triggerGetJson, triggerJson, triggerTable } from "../views/trigger-view.js";
import { askInstallQuestions } from "./install-dialogue.js";

interface NameArgs extends GlobalArgs {
  name: string;
}

const triggerName = (y: Argv) =>
  y.positional("name", { type: "string", describe: "The trigger's name, as gofer trigger list shows it" });

interface InstallArgs extends NameArgs {
  kind?: "trigger" | "extension";
  image: string;
  manual?: boolean;
  config?: string[];
}

export function triggerCommand(context: CommandContext): CommandModule {
  return {
    command: ["trigger", "triggers"],
    describe: "Install and manage triggers",
    builder: (yargs: Argv) =>
      yargs
        .command(install(context))
        .command({
          command: "uninstall <name>",
          describe: "Uninstall a trigger: it stops, and its pipelines get no more runs from it",
          builder: triggerName,
          handler: action<NameArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            // UninstallTrigger takes a missing name as done (as v0.4 did); a typo should not look like success.
            await api.getTrigger({ name: args.name });
            await session.output
              .spinner()
              .during(`Uninstalling trigger "${args.name}"`, () => api.uninstallTrigger({ name: args.name }));
            session.output.result({ name: args.name, uninstalled: true }, () =>
              session.output.success(`Trigger "${args.name}" uninstalled`),
            );
          }),
        })
        .command({
          command: "list",
          describe: "List installed triggers",
          handler: action(context, async (session) => {
            const { api } = await session.connect();
            const { triggers } = await api.listTriggers({});
            session.output.result(triggers.map(triggerJson), () => triggerTable(triggers, session.output));
          }),
        })
        .command({
          command: "get <name>",
          describe: "Show one trigger",
          builder: triggerName,
          handler: action<NameArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            const { trigger } = await api.getTrigger({ name: args.name });
            if (!trigger) throw new Error(`the server sent no trigger for "${args.name}"`);
            session.output.result(triggerGetJson(trigger), () => triggerDetails(trigger, session.output));
          }),
        })
        .command({
          command: "enable <name>",
          describe: "Enable a trigger: it starts again and resumes starting runs",
          builder: triggerName,
          handler: action<NameArgs>(context, async (session, args) => {
            const { api, slowApi } = await session.connect();
            await session.output
              .spinner()
              .during(`Enabling trigger "${args.name}"`, () => slowApi.enableTrigger({ name: args.name }));
            const { trigger } = await api.getTrigger({ name: args.name });
            session.output.result(trigger ? triggerJson(trigger) : { name: args.name }, () =>
              session.output.success(`Trigger "${args.name}" enabled`),
            );
          }),
        })
        .command(disable(context))
        .demandCommand(1, "Choose a trigger command: install, uninstall, list, get, enable or disable"),
    handler: () => {},
  };
}

function install(context: CommandContext): CommandModule {
  return {
    command: "install <name> <image>",
    describe: "Install a trigger from a container image",
    builder: (yargs: Argv) =>
      yargs
        .positional("name", {
          type: "string",
          demandOption: true,
          describe: "Name pipelines use to subscribe, e.g. interval",
        })
        .positional("image", {
          type: "string",
          demandOption: true,
          describe: "Image, e.g. ghcr.io/clintjedwards/gofer/trigger/interval:latest",
        })
        .option("manual", {
          alias: "m",
          type: "boolean",
          describe: "Install with no settings, skipping the trigger's questions",
        })
        .option("kind", {
          choices: ["trigger", "extension"] as const,
          describe:
            "trigger (v0.4, watched) or extension (v0.5, starts runs itself); detected from the image when omitted",
        })
        // Shadows the global --config here, as in v0.4.1 (cobra's local flag did the same).
        .option("config", {
          alias: "c",
          type: "string",
          array: true,
          nargs: 1,
          describe: "A setting as KEY=VALUE, answering the trigger's questions without asking (repeatable)",
        })
        .example(
          "$0 trigger install interval ghcr.io/clintjedwards/gofer/trigger/interval:latest -c MIN_DURATION=1m",
          "",
        )
        .example(
          "$0 trigger install cron ghcr.io/clintjedwards/gofer/trigger/cron:latest",
          "asks the trigger's questions",
        ),
    handler: action<InstallArgs>(
      context,
      async (session, args) => {
        const { io, output } = session;
        const configValues = args.config ?? [];
        if (args.manual && configValues.length > 0) {
          throw usageError(
            "cannot use both the manual flag and config flag at the same time",
            "-c KEY=VALUE already installs without questions; drop --manual",
          );
        }
        const notSetting = configValues.find((value) => !value.includes("="));
        if (notSetting !== undefined) {
          throw usageError(
            `-c/--config ${JSON.stringify(notSetting)}: expected KEY=VALUE`,
            "in trigger install, -c/--config sets a trigger setting, as in v0.4.1; to name a CLI config file here, set GOFER_CLI_CONFIG",
          );
        }
        let variables = parseKeyValueFlags(configValues, "-c/--config");
        const interactive = !args.manual && configValues.length === 0;
        if (interactive) {
          requireTerminal(
            io,
            `installing trigger "${args.name}" interactively`,
            "pass each setting as -c KEY=VALUE (e.g. -c MIN_DURATION=1m), or --manual to install with no settings",
          );
        }
        const { api, slowApi } = await session.connect();
        const spinner = output.spinner();
        if (interactive) {
          variables = await askInstallQuestions(
            session,
            spinner,
            { name: args.name, image: args.image, kind: "trigger" },
            () => slowApi.getTriggerInstallInstructions({ image: args.image, user: "", pass: "" }),
          );
        }
        await spinner.during(`Installing trigger "${args.name}": starting ${args.image}`, () =>
          slowApi.installTrigger({
            name: args.name,
            image: args.image,
            user: "",
            pass: "",
            // The wire has no kind field: the server reads this reserved variable and does not store it.
            variables: args.kind ? { ...variables, GOFER_INSTALL_KIND: args.kind } : variables,
          }),
        );
        const { trigger } = await api.getTrigger({ name: args.name });
        output.result(trigger ? triggerJson(trigger) : { name: args.name, image: args.image }, () =>
          [
            output.success(`Trigger "${args.name}" installed`),
            "",
            `  See it: ${output.colors.yellow(`gofer trigger get ${args.name}`)}`,
            `  Subscribe a pipeline to it with a trigger entry of name "${args.name}" in its config.`,
          ].join("\n"),
        );
      },
      { configFlagIsCliConfig: false },
    ),
  };
}

function disable(context: CommandContext): CommandModule {
  return {
    command: "disable <name>",
    describe: "Disable a trigger: it stops, and its pipelines get no runs from it until it is enabled",
    builder: (yargs: Argv) =>
      triggerName(yargs).option("yes", {
        alias: "y",
        type: "boolean",
        describe: "Do not ask to type the trigger's name to confirm",
      }),
    handler: action<NameArgs & { yes?: boolean }>(context, async (session, args) => {
      const { io, output } = session;
      if (!args.yes) {
        requireTerminal(io, `disabling trigger "${args.name}"`, "pass --yes to disable it without confirming");
        output.note(
          output.errColors.yellow(
            `Disabling trigger "${args.name}" stops it: pipelines that subscribe to it get no runs from it until it is enabled again.`,
          ),
        );
        const prompter = terminalPrompter(io);
        try {
          for (;;) {
            const answer = await prompter.ask("Please type the ID of the trigger to confirm: ");
            if (answer.toLowerCase() === args.name.toLowerCase()) break;
          }
        } finally {
          prompter.close();
        }
      }
      const { api } = await session.connect();
      await output.spinner().during(`Disabling trigger "${args.name}"`, () => api.disableTrigger({ name: args.name }));
      const { trigger } = await api.getTrigger({ name: args.name });
      output.result(trigger ? triggerJson(trigger) : { name: args.name }, () =>
        output.success(`Trigger "${args.name}" disabled`),
      );
    }),
  };
}
