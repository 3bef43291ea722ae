// `gofer taskrun …` (also `taskruns`): get, list, cancel, logs (spec §6). `logs` follows the task while it runs:
// it waits for a task that has not started yet (or whose run has not created it yet), then streams until it ends.
import { type GetTaskRunLogsResponse, Run_RunState, TaskRun_TaskRunState } from "@gofer/proto";
import { status } from "@grpc/grpc-js";
import type { Argv, CommandModule } from "yargs";
import type { Connection } from "../connection.js";
import { isServiceError } from "../grpc-errors.js";
import { action, type CommandContext, type GlobalArgs, type Session } from "../session.js";
import { taskRunDetails, taskRunJson, taskRunTable } from "../views/task-run-view.js";
import { runId } from "./run.js";

interface RunArgs extends GlobalArgs {
  pipeline: string;
  run: number;
}

interface TaskRunArgs extends RunArgs {
  id: string;
}

const START_POLL_MS = 250;

export function taskRunCommand(context: CommandContext): CommandModule {
  const positionals = (y: Argv) =>
    y
      .positional("pipeline", { type: "string", describe: "The pipeline's id, as gofer pipeline list shows it" })
      .positional("run", { type: "string", describe: "The run's number: 1, 2, 3, …" })
      .positional("id", { type: "string", describe: "The task's id in the pipeline, e.g. hello" });
  return {
    command: ["taskrun", "taskruns"],
    describe: "Inspect task runs and their logs",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "get <pipeline> <run> <id>",
          describe: "Show a task run",
          builder: positionals,
          handler: action<TaskRunArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            const { taskRun } = await api.getTaskRun({ ...ref(session, args), id: args.id });
            if (!taskRun) throw new Error("the server sent no task run");
            session.output.result(taskRunJson(taskRun), () => taskRunDetails(taskRun, session.output));
          }),
        })
        .command({
          command: "list <pipeline> <run>",
          describe: "List the task runs of a run",
          builder: positionals,
          handler: action<RunArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            const { taskRuns } = await api.listTaskRuns(ref(session, args));
            session.output.result(taskRuns.map(taskRunJson), () => taskRunTable(taskRuns, session.output));
          }),
        })
        .command({
          command: "cancel <pipeline> <run> <id>",
          describe: "Cancel a task run",
          builder: (y: Argv) =>
            positionals(y).option("force", { alias: "f", type: "boolean", describe: "Kill it at once (SIGKILL)" }),
          handler: action<TaskRunArgs & { force?: boolean }>(context, async (session, args) => {
            const { api } = await session.connect();
            await api.cancelTaskRun({ ...ref(session, args), id: args.id, force: Boolean(args.force) });
            session.output.result(
              { pipeline: args.pipeline, run: Number(args.run), id: args.id, cancelled: true },
              () => session.output.success(`Task run "${args.id}" of run #${args.run} cancelled`),
            );
          }),
        })
        .command({
          command: "logs <pipeline> <run> <id>",
          describe: "Print a task run's logs, following them while it runs",
          builder: positionals,
          handler: action<TaskRunArgs>(context, async (session, args) => {
            const connection = await session.connect();
            await waitUntilStarted(session, connection, args);
            await streamLogs(session, connection, args);
          }),
        })
        .demandCommand(1, "Choose a taskrun command: get, list, cancel or logs"),
    handler: () => {},
  };
}

function ref(session: Session, args: RunArgs) {
  return { namespaceId: session.namespace, pipelineId: args.pipeline, runId: runId(args.run) };
}

/** Waits while the task run is not created yet or has not started, as long as its run is still going. */
async function waitUntilStarted(session: Session, { api }: Connection, args: TaskRunArgs): Promise<void> {
  const spinner = session.output.spinner();
  const waiting = new AbortController();
  try {
    for (;;) {
      try {
        const { taskRun } = await api.getTaskRun({ ...ref(session, args), id: args.id });
        const state = taskRun?.state;
        if (state !== TaskRun_TaskRunState.PROCESSING && state !== TaskRun_TaskRunState.WAITING) return;
        spinner.start(`Waiting for task "${args.id}" to start`);
      } catch (error) {
        if (!isServiceError(error) || error.code !== status.NOT_FOUND) throw error;
        // The run may not have created its task runs yet; if the run is over (or missing), the task is not coming.
        const { run } = await api.getRun({
          namespaceId: session.namespace,
          pipelineId: args.pipeline,
          id: runId(args.run),
        });
        if (!run || run.state === Run_RunState.COMPLETE) throw error;
        spinner.start(`Waiting for run #${args.run} to create task "${args.id}"`);
      }
      await session.io.clock.sleep(START_POLL_MS, waiting.signal);
    }
  } finally {
    await spinner.stop();
  }
}

async function streamLogs(session: Session, { client, metadata }: Connection, args: TaskRunArgs): Promise<void> {
  const { output } = session;
  const call = client.getTaskRunLogs({ ...ref(session, args), id: args.id }, metadata);
  try {
    for await (const item of call as AsyncIterable<GetTaskRunLogsResponse>) {
      output.item({ line_num: Number(item.lineNum), line: item.logLine }, () =>
        output.detail ? `${output.colors.dim(String(item.lineNum).padStart(5))} ${item.logLine}` : item.logLine,
      );
    }
  } finally {
    call.cancel();
  }
}
