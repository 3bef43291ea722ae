// `gofer run …` (also `runs`): start, get, list, cancel, cancel-all (spec §6).

import type { Argv, CommandModule } from "yargs";
import { limitOption, offsetOption, parseLimit, parseOffset } from "../count-flags.js";
import { usageError } from "../exit-codes.js";
import { checkIdRange } from "../numeric-id.js";
import { action, type CommandContext, type GlobalArgs } from "../session.js";
import { runJson, runSummary, runTable } from "../views/run-view.js";
import { taskRunTable } from "../views/task-run-view.js";
import { runStoreCommand } from "./object-store.js";
import { variableOption } from "./pipeline.js";
import { startRun } from "./start-run.js";

interface PipelineArgs extends GlobalArgs {
  pipeline: string;
}

interface RunArgs extends PipelineArgs {
  id: number;
}

const pipelinePositional = (y: Argv) =>
  y.positional("pipeline", { type: "string", describe: "The pipeline's id, as gofer pipeline list shows it" });
const runPositionals = (y: Argv) =>
  pipelinePositional(y).positional("id", { type: "string", describe: "The run's number: 1, 2, 3, …" });

/** Run ids are positive integers; a typo (`gofer run get demo latest`) is a usage error, not a lookup. */
export function runId(value: unknown, what = "run id"): bigint {
  const text = String(value);
  if (!/^\d+$/.test(text) || BigInt(text) === 0n)
    throw usageError(
      `${what} ${JSON.stringify(text)} is not a run number`,
      "run ids are 1, 2, 3, …; see gofer run list <pipeline>",
    );
  return checkIdRange(BigInt(text), what, "run ids are 1, 2, 3, …; see gofer run list <pipeline>");
}

export function runCommand(context: CommandContext): CommandModule {
  return {
    command: ["run", "runs"],
    describe: "Start and manage runs",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "start <pipeline>",
          describe: "Start a run of a pipeline",
          builder: (y: Argv) => pipelinePositional(y).option("variable", variableOption),
          handler: action<PipelineArgs & { variable?: string[] }>(context, (session, args) =>
            startRun(session, args.pipeline, args.variable ?? []),
          ),
        })
        .command({
          command: "get <pipeline> <id>",
          describe: "Show a run and its task runs",
          builder: runPositionals,
          handler: action<RunArgs>(context, async (session, args) => {
            const id = runId(args.id);
            const { api } = await session.connect();
            const ref = { namespaceId: session.namespace, pipelineId: args.pipeline };
            const { run } = await api.getRun({ ...ref, id });
            if (!run) throw new Error("the server sent no run");
            const { output } = session;
            const taskRuns = output.format === "pretty" ? (await api.listTaskRuns({ ...ref, runId: id })).taskRuns : [];
            output.result(runJson(run), () =>
              [runSummary(run, output), "", output.colors.bold("Task runs:"), taskRunTable(taskRuns, output)].join(
                "\n",
              ),
            );
          }),
        })
        .command({
          command: "list <pipeline>",
          describe: "List a pipeline's runs, newest first",
          builder: (y: Argv) => pipelinePositional(y).option("limit", limitOption).option("offset", offsetOption),
          handler: action<PipelineArgs & { limit: string; offset: string }>(context, async (session, args) => {
            const page = { offset: BigInt(parseOffset(args.offset)), limit: BigInt(parseLimit(args.limit)) };
            const { api } = await session.connect();
            const { runs } = await api.listRuns({
              namespaceId: session.namespace,
              pipelineId: args.pipeline,
              ...page,
            });
            // ListRuns answers a pipeline that does not exist with no runs; say it is not found instead.
            if (runs.length === 0) await api.getPipeline({ namespaceId: session.namespace, id: args.pipeline });
            session.output.result(runs.map(runJson), () => runTable(runs, session.output));
          }),
        })
        .command({
          command: "cancel <pipeline> <id>",
          describe: "Cancel a run: its tasks get SIGTERM, then SIGKILL after the stop timeout",
          builder: (y: Argv) =>
            runPositionals(y).option("force", {
              alias: "f",
              type: "boolean",
              describe: "Kill its tasks at once (SIGKILL)",
            }),
          handler: action<RunArgs & { force?: boolean }>(context, async (session, args) => {
            const id = runId(args.id);
            const { api } = await session.connect();
            await api.cancelRun({
              namespaceId: session.namespace,
              pipelineId: args.pipeline,
              runId: id,
              force: Boolean(args.force),
            });
            session.output.result({ pipeline: args.pipeline, id: Number(id), cancelled: true }, () =>
              session.output.success(`Run #${id} of pipeline "${args.pipeline}" cancelled`),
            );
          }),
        })
        .command({
          command: "cancel-all <pipeline>",
          describe: "Cancel every in-progress run of a pipeline",
          builder: (y: Argv) =>
            pipelinePositional(y).option("force", {
              alias: "f",
              type: "boolean",
              describe: "Kill their tasks at once (SIGKILL)",
            }),
          handler: action<PipelineArgs & { force?: boolean }>(context, async (session, args) => {
            const { api } = await session.connect();
            const { runs } = await api.cancelAllRuns({
              namespaceId: session.namespace,
              pipelineId: args.pipeline,
              force: Boolean(args.force),
            });
            if (runs.length === 0) await api.getPipeline({ namespaceId: session.namespace, id: args.pipeline });
            session.output.result({ pipeline: args.pipeline, cancelled: runs.map(Number) }, () =>
              runs.length === 0
                ? `No runs of pipeline "${args.pipeline}" were in progress.`
                : session.output.success(
                    `Cancelled runs ${runs.map((id) => `#${id}`).join(", ")} of pipeline "${args.pipeline}"`,
                  ),
            );
          }),
        })
        .command(runStoreCommand(context))
        .demandCommand(1, "Choose a run command: start, get, list, cancel, cancel-all or store"),
    handler: () => {},
  };
}
