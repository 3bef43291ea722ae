// `gofer pipeline …` (also `pipelines`): create, update, get, list, enable, disable, delete, run (spec §6).
// create/update read a pipeline program's directory (Go and Rust as v0.4.1, TypeScript/JavaScript too) or a
// .yaml/.json pipeline file; see pipeline-config/load-pipeline-config.ts.

import { Pipeline_PipelineState, Run_RunState } from "@gofer/proto";
import type { Argv, CommandModule } from "yargs";
import { limitOption, offsetOption, parseLimit, parseOffset } from "../count-flags.js";
import { usageError } from "../exit-codes.js";
import { loadPipelineConfig } from "../pipeline-config/load-pipeline-config.js";
import { action, type CommandContext, type GlobalArgs, type Session } from "../session.js";
import { pipelineDetails, pipelineGetJson, pipelineJson, pipelineTable } from "../views/pipeline-view.js";
import { runTable } from "../views/run-view.js";
import { pipelineStoreCommand } from "./object-store.js";
import { startRun } from "./start-run.js";

interface IdArgs extends GlobalArgs {
  id: string;
}

const WAIT_POLL_MS = 1000;

const pipelineId = (y: Argv) =>
  y.positional("id", { type: "string", describe: "The pipeline's id, as gofer pipeline list shows it" });
const pipelinePath = (y: Argv) =>
  y.positional("path", {
    type: "string",
    demandOption: true,
    describe: "A pipeline program's directory, a .yaml/.yml/.json pipeline file, or .pb/.bin PipelineConfig bytes",
  });

export function pipelineCommand(context: CommandContext): CommandModule {
  const idCommand = (
    command: string,
    describe: string,
    run: (session: Session, id: string) => Promise<void>,
  ): CommandModule => ({
    command: `${command} <id>`,
    describe,
    builder: pipelineId,
    handler: action<IdArgs>(context, (session, args) => run(session, args.id)),
  });
  return {
    command: ["pipeline", "pipelines"],
    describe: "Create and manage pipelines",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "create <path>",
          describe: "Create a pipeline from a program's directory (Go, Rust, TypeScript) or a .yaml/.json file",
          builder: (y: Argv) =>
            pipelinePath(y)
              .example("$0 pipeline create ./examples/yaml-pipeline/pipeline.yaml", "")
              .example("$0 pipeline create ./examples/typescript-pipeline", "runs the program, reads its stdout")
              .example("$0 pipeline create ./my-go-pipeline", "go build, then run it, as v0.4.1"),
          handler: action<GlobalArgs & { path: string }>(context, async (session, args) => {
            const { output, io } = session;
            const pipelineConfig = await loadPipelineConfig(args.path, { ...io, spinner: output.spinner() });
            const { api } = await session.connect();
            const { pipeline } = await output
              .spinner()
              .during(`Creating pipeline "${pipelineConfig.id}"`, () =>
                api.createPipeline({ namespaceId: session.namespace, pipelineConfig }),
              );
            if (!pipeline) throw new Error("the server sent no pipeline");
            const y = output.colors.yellow;
            output.result(pipelineJson(pipeline), () =>
              [
                output.success(
                  `Created pipeline ${output.colors.blue(`[${pipeline.id}]`)} ${JSON.stringify(pipeline.name)}`,
                ),
                "",
                `  View details of your new pipeline: ${y(`gofer pipeline get ${pipeline.id}`)}`,
                `  Start a new run: ${y(`gofer run start ${pipeline.id}`)}`,
              ].join("\n"),
            );
          }),
        })
        .command(update(context))
        .command(
          idCommand("get", "Show a pipeline and its recent runs", async (session, id) => {
            const { api } = await session.connect();
            const { pipeline } = await api.getPipeline({ namespaceId: session.namespace, id });
            if (!pipeline) throw new Error(`the server sent no pipeline for "${id}"`);
            const { output } = session;
            const runs =
              output.format === "pretty"
                ? (await api.listRuns({ namespaceId: session.namespace, pipelineId: id, offset: 0n, limit: 5n })).runs
                : [];
            output.result(pipelineGetJson(pipeline), () =>
              [
                pipelineDetails(pipeline, output),
                "",
                output.colors.bold("Recent runs:"),
                indent(runTable(runs, output)),
              ].join("\n"),
            );
          }),
        )
        .command({
          command: "list",
          describe: "List pipelines",
          builder: (y: Argv) => y.option("limit", limitOption).option("offset", offsetOption),
          handler: action<GlobalArgs & { limit: string; offset: string }>(context, async (session, args) => {
            const page = { offset: BigInt(parseOffset(args.offset)), limit: BigInt(parseLimit(args.limit)) };
            const { api } = await session.connect();
            const { pipelines } = await api.listPipelines({
              namespaceId: session.namespace,
              ...page,
            });
            // ListPipelines answers a namespace that does not exist with no pipelines; say it is not found instead.
            if (pipelines.length === 0 && session.namespace !== "") await api.getNamespace({ id: session.namespace });
            session.output.result(pipelines.map(pipelineJson), () => pipelineTable(pipelines, session.output));
          }),
        })
        .command(
          idCommand("enable", "Enable a pipeline: its triggers start runs again", async (session, id) => {
            const { api } = await session.connect();
            await api.enablePipeline({ namespaceId: session.namespace, id });
            session.output.result({ id, state: "ACTIVE" }, () => session.output.success(`Pipeline "${id}" enabled`));
          }),
        )
        .command(
          idCommand("disable", "Disable a pipeline: no new runs start until it is enabled", async (session, id) => {
            const { api } = await session.connect();
            await api.disablePipeline({ namespaceId: session.namespace, id });
            session.output.result({ id, state: "DISABLED" }, () => session.output.success(`Pipeline "${id}" disabled`));
          }),
        )
        .command(
          idCommand("delete", "Delete a pipeline with its runs", async (session, id) => {
            const { api } = await session.connect();
            await api.deletePipeline({ namespaceId: session.namespace, id });
            session.output.result({ id, deleted: true }, () => session.output.success(`Pipeline "${id}" deleted`));
          }),
        )
        .command({
          command: "run <id>",
          describe: "Start a run of a pipeline (same as gofer run start)",
          builder: (y: Argv) => pipelineId(y).option("variable", variableOption),
          handler: action<IdArgs & { variable?: string[] }>(context, (session, args) =>
            startRun(session, args.id, args.variable ?? []),
          ),
        })
        .command(pipelineStoreCommand(context))
        .demandCommand(
          1,
          "Choose a pipeline command: create, update, get, list, enable, disable, delete, run or store",
        ),
    handler: () => {},
  };
}

export const variableOption = {
  alias: "v",
  type: "string",
  array: true,
  nargs: 1,
  describe: "A run variable as KEY=VALUE (repeatable)",
} as const;

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

interface UpdateArgs extends IdArgs {
  path: string;
  force?: boolean;
  gracefulStop?: boolean;
}

/**
 * v0.4.1's update: disable the pipeline, optionally cancel its runs (--force kills them, --graceful-stop asks them
 * to stop), wait until no run is in progress, update, enable. Fixed: the config is built and checked before anything
 * is disabled, its id must be the one named, and a pipeline that was disabled before stays disabled.
 */
function update(context: CommandContext): CommandModule {
  return {
    command: "update <id> <path>",
    describe: "Update a pipeline from its program or file; waits for in-progress runs first",
    builder: (y: Argv) =>
      pipelinePath(pipelineId(y))
        .option("force", { alias: "f", type: "boolean", describe: "Cancel in-progress runs at once (SIGKILL)" })
        .option("graceful-stop", {
          alias: "g",
          type: "boolean",
          describe: "Cancel in-progress runs gracefully (SIGTERM, then wait)",
        }),
    handler: action<UpdateArgs>(context, async (session, args) => {
      const { output, io } = session;
      const pipelineConfig = await loadPipelineConfig(args.path, { ...io, spinner: output.spinner() });
      if (pipelineConfig.id !== args.id) {
        throw usageError(`${args.path} describes pipeline "${pipelineConfig.id}", not "${args.id}"`);
      }
      const { api } = await session.connect();
      const ns = session.namespace;
      const { pipeline: before } = await api.getPipeline({ namespaceId: ns, id: args.id });
      const wasActive = before?.state === Pipeline_PipelineState.ACTIVE;
      const spinner = output.spinner();
      await api.disablePipeline({ namespaceId: ns, id: args.id });
      let failure: unknown;
      try {
        if (args.force || args.gracefulStop) {
          await spinner.during("Cancelling in-progress runs", () =>
            api.cancelAllRuns({ namespaceId: ns, pipelineId: args.id, force: Boolean(args.force) }),
          );
        }
        await spinner.during("Waiting for in-progress runs to finish", async () => {
          const waiting = new AbortController();
          for (;;) {
            const { runs } = await api.listRuns({ namespaceId: ns, pipelineId: args.id, offset: 0n, limit: 200n });
            const open = runs.filter((r) => r.state !== Run_RunState.COMPLETE);
            if (open.length === 0) return;
            spinner.update(`Waiting for in-progress runs to finish: ${open.map((r) => `#${r.id}`).join(", ")}`);
            await io.clock.sleep(WAIT_POLL_MS, waiting.signal);
          }
        });
        await spinner.during(`Updating pipeline "${args.id}"`, () =>
          api.updatePipeline({ namespaceId: ns, pipelineConfig }),
        );
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        // Re-enabled even when the update failed: the pipeline goes back to how it was. The first failure wins.
        if (wasActive) {
          await api.enablePipeline({ namespaceId: ns, id: args.id }).catch((error: unknown) => {
            if (failure === undefined) throw error;
          });
        }
      }
      const { pipeline } = await api.getPipeline({ namespaceId: ns, id: args.id });
      if (!pipeline) throw new Error("the server sent no pipeline");
      output.result(pipelineJson(pipeline), () =>
        output.success(`Updated pipeline ${output.colors.blue(`[${pipeline.id}]`)} ${JSON.stringify(pipeline.name)}`),
      );
    }),
  };
}
