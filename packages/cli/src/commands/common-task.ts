// `gofer common-task …` (also `common-tasks`): install, uninstall, list, get, enable, disable (spec §9.6). Install
// works like `gofer trigger install`: the image's questions (its installer mode), or -c KEY=VALUE for each answer,
// or --manual for none. The disable warning is now true: a disabled common task's task runs fail until it is enabled.
import { type CommonTaskRegistration, commonTaskRegistration_StatusToJSON } from "@gofer/proto";
import type { Argv, CommandModule } from "yargs";
import { usageError } from "../exit-codes.js";
import { parseKeyValueFlags } from "../key-value-flags.js";
import { stateLabel } from "../output/state-label.js";
import { renderTable } from "../output/table.js";
import { requireTerminal, terminalPrompter } from "../prompt.js";
import { action, type CommandContext, type GlobalArgs, type Session } from "../session.js";
import { int64 } from "../views/int64.js";
import { timeText } from "../views/time-text.js";
import { askInstallQuestions } from "./install-dialogue.js";

interface NameArgs extends GlobalArgs {
  name: string;
}

function commonTaskJson(task: CommonTaskRegistration) {
  return {
    name: task.name,
    image: task.image,
    status: commonTaskRegistration_StatusToJSON(task.status),
    created: int64(task.created),
    documentation: task.documentation,
    config: Object.fromEntries(task.variables.map((v) => [v.key, v.value])),
  };
}

function commonTaskTable(tasks: readonly CommonTaskRegistration[], session: Session): string {
  if (tasks.length === 0) {
    return 'No common tasks installed. Install one with "gofer common-task install <name> <image>".';
  }
  const c = session.output.colors;
  return renderTable(
    ["Name", "Image", "Status", "Installed", "Documentation"],
    tasks.map((t) => [
      c.blue(t.name),
      t.image,
      stateLabel(commonTaskRegistration_StatusToJSON(t.status), c),
      timeText(t.created, session.output),
      t.documentation || "-",
    ]),
    c,
  );
}

function commonTaskDetails(task: CommonTaskRegistration, session: Session): string {
  const c = session.output.colors;
  return [
    `CommonTask ${c.blue(JSON.stringify(task.name))} :: ${stateLabel(commonTaskRegistration_StatusToJSON(task.status), c)}`,
    "",
    `  Image: ${task.image}`,
    `  Installed: ${timeText(task.created, session.output)}`,
    `  Config: ${task.variables.length === 0 ? "none" : task.variables.map((v) => v.key).join(", ")}`,
    `  Documentation: ${task.documentation || "No documentation found"}`,
  ].join("\n");
}

interface InstallArgs extends NameArgs {
  image: string;
  manual?: boolean;
  config?: string[];
  documentation?: string;
}

function install(context: CommandContext): CommandModule {
  return {
    command: "install <name> <image>",
    describe: "Install a common task from a container image",
    builder: (yargs: Argv) =>
      yargs
        .positional("name", { type: "string", demandOption: true, describe: "Name pipelines use, e.g. debug" })
        .positional("image", {
          type: "string",
          demandOption: true,
          describe: "Image, e.g. gofer-common-task-debug:latest",
        })
        .option("manual", { alias: "m", type: "boolean", describe: "Install with no config, skipping the questions" })
        // Shadows the global --config here, as `trigger install` does.
        .option("config", {
          alias: "c",
          type: "string",
          array: true,
          nargs: 1,
          describe: "A config value as KEY=VALUE, answering the common task's questions without asking (repeatable)",
        })
        .option("documentation", { alias: "d", type: "string", describe: "A link to the common task's documentation" })
        .example("$0 common-task install debug gofer-common-task-debug:latest -c filter=true", ""),
    handler: action<InstallArgs>(
      context,
      async (session, args) => {
        const { io, output } = session;
        const configValues = args.config ?? [];
        if (args.manual && configValues.length > 0) {
          throw usageError("cannot use both the manual flag and config flag at the same time", "drop --manual");
        }
        let variables = parseKeyValueFlags(configValues, "-c/--config");
        const interactive = !args.manual && configValues.length === 0;
        if (interactive) {
          requireTerminal(
            io,
            `installing common task "${args.name}" interactively`,
            "pass each config value as -c KEY=VALUE, or --manual to install with none",
          );
        }
        const { api, slowApi } = await session.connect();
        const spinner = output.spinner();
        if (interactive) {
          variables = await askInstallQuestions(
            session,
            spinner,
            { name: args.name, image: args.image, kind: "common task" },
            () => slowApi.getCommonTaskInstallInstructions({ image: args.image, user: "", pass: "" }),
          );
        }
        await api.installCommonTask({
          name: args.name,
          image: args.image,
          user: "",
          pass: "",
          variables,
          documentation: args.documentation ?? "",
        });
        const { commonTask } = await api.getCommonTask({ name: args.name });
        output.result(commonTask ? commonTaskJson(commonTask) : { name: args.name }, () =>
          [
            output.success(`CommonTask "${args.name}" installed`),
            "",
            `  Use it in a pipeline as a common task named "${args.name}".`,
          ].join("\n"),
        );
      },
      { configFlagIsCliConfig: false },
    ),
  };
}

export function commonTaskCommand(context: CommandContext): CommandModule {
  return {
    command: ["common-task", "common-tasks"],
    describe: "Install and manage common tasks (tasks an admin installs once for every pipeline)",
    builder: (yargs: Argv) =>
      yargs
        .command(install(context))
        .command({
          command: "uninstall <name>",
          describe: "Uninstall a common task: pipelines using it fail that task until it is installed again",
          builder: (y: Argv) =>
            y.positional("name", {
              type: "string",
              describe: "The common task's name, as gofer common-task list shows it",
            }),
          handler: action<NameArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            await api.uninstallCommonTask({ name: args.name });
            session.output.result({ name: args.name, uninstalled: true }, () =>
              session.output.success(`CommonTask "${args.name}" uninstalled`),
            );
          }),
        })
        .command({
          command: "list",
          describe: "List installed common tasks",
          handler: action(context, async (session) => {
            const { api } = await session.connect();
            const { commonTasks } = await api.listCommonTasks({});
            session.output.result(commonTasks.map(commonTaskJson), () => commonTaskTable(commonTasks, session));
          }),
        })
        .command({
          command: "get <name>",
          describe: "Show one common task",
          builder: (y: Argv) =>
            y.positional("name", {
              type: "string",
              describe: "The common task's name, as gofer common-task list shows it",
            }),
          handler: action<NameArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            const { commonTask } = await api.getCommonTask({ name: args.name });
            if (!commonTask) throw new Error(`the server sent no common task for "${args.name}"`);
            session.output.result(commonTaskJson(commonTask), () => commonTaskDetails(commonTask, session));
          }),
        })
        .command({
          command: "enable <name>",
          describe: "Enable a common task",
          builder: (y: Argv) =>
            y.positional("name", {
              type: "string",
              describe: "The common task's name, as gofer common-task list shows it",
            }),
          handler: action<NameArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            await api.enableCommonTask({ name: args.name });
            session.output.result({ name: args.name, status: "ENABLED" }, () =>
              session.output.success(`CommonTask "${args.name}" enabled`),
            );
          }),
        })
        .command({
          command: "disable <name>",
          describe: "Disable a common task: task runs of it fail until it is enabled",
          builder: (y: Argv) =>
            y
              .positional("name", {
                type: "string",
                describe: "The common task's name, as gofer common-task list shows it",
              })
              .option("yes", { alias: "y", type: "boolean", describe: "Do not ask to type the name to confirm" }),
          handler: action<NameArgs & { yes?: boolean }>(context, async (session, args) => {
            const { io, output } = session;
            if (!args.yes) {
              requireTerminal(
                io,
                `disabling common task "${args.name}"`,
                "pass --yes to disable it without confirming",
              );
              output.note(
                output.errColors.yellow(
                  `Disabling common task "${args.name}" makes every pipeline task using it fail until it is enabled again.`,
                ),
              );
              const prompter = terminalPrompter(io);
              try {
                for (;;) {
                  const answer = await prompter.ask("Please type the ID of the common task to confirm: ");
                  if (answer.toLowerCase() === args.name.toLowerCase()) break;
                }
              } finally {
                prompter.close();
              }
            }
            const { api } = await session.connect();
            await api.disableCommonTask({ name: args.name });
            output.result({ name: args.name, status: "DISABLED" }, () =>
              output.success(`CommonTask "${args.name}" disabled`),
            );
          }),
        })
        .demandCommand(1, "Choose a common-task command: install, uninstall, list, get, enable or disable"),
    handler: () => {},
  };
}
