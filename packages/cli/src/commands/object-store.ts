// `gofer pipeline store …` and `gofer run store …`: the object store (spec §9.6, plus delete, which v0.4.1 lacked).
// get writes the object's bytes to stdout exactly (JSON output carries them base64-encoded); put reads them from
// KEY=VALUE, KEY=@file, --file or standard input (store-value.ts).
import type { Argv, CommandModule } from "yargs";
import { usageError } from "../exit-codes.js";
import { renderTable } from "../output/table.js";
import { action, type CommandContext, type GlobalArgs, type Session } from "../session.js";
import { int64 } from "../views/int64.js";
import { timeText } from "../views/time-text.js";
import { readStoreValue } from "./store-value.js";

interface KeyInfo {
  key: string;
  created: bigint;
}

const keyJson = (k: KeyInfo) => ({ key: k.key, created: int64(k.created) });

function keyTable(keys: readonly KeyInfo[], session: Session, empty: string): string {
  if (keys.length === 0) return empty;
  const c = session.output.colors;
  return renderTable(
    ["Key", "Created"],
    keys.map((k) => [c.blue(k.key), timeText(k.created, session.output)]),
    c,
  );
}

function printObject(session: Session, key: string, content: Uint8Array): void {
  if (session.output.format === "json") {
    session.output.result(
      { key, bytes: content.byteLength, content_base64: Buffer.from(content).toString("base64") },
      () => "",
    );
  } else if (session.output.format === "pretty") {
    session.io.stdout.write(content);
  }
}

function runId(text: string): bigint {
  if (!/^\d+$/.test(text))
    throw usageError(`run id ${JSON.stringify(text)} is not a number`, "e.g. gofer run store list my-pipeline 3");
  return BigInt(text);
}

interface PutArgs extends GlobalArgs {
  pipeline_id: string;
  keyValue: string;
  file?: string;
  force?: boolean;
}

const putOptions = (y: Argv) =>
  y
    .positional("keyValue", {
      type: "string",
      demandOption: true,
      describe: "KEY, or KEY=VALUE (VALUE @path reads a file)",
    })
    .option("file", { type: "string", describe: "Read the object from this file" })
    .option("force", { alias: "f", type: "boolean", describe: "Overwrite the object if it exists" });

export function pipelineStoreCommand(context: CommandContext): CommandModule {
  return {
    command: "store",
    describe: "A pipeline's objects: kept across runs, the oldest evicted past the server's limit",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "get <pipeline_id> <key>",
          describe: "Write a pipeline object's bytes to stdout",
          builder: (y: Argv) =>
            y
              .positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              })
              .positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { pipeline_id: string; key: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            const { content } = await api.getPipelineObject({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              key: args.key,
            });
            printObject(session, args.key, content);
          }),
        })
        .command({
          command: "list <pipeline_id>",
          describe: "List a pipeline's object keys, oldest first",
          builder: (y: Argv) =>
            y.positional("pipeline_id", {
              type: "string",
              describe: "The pipeline's id, as gofer pipeline list shows it",
            }),
          handler: action<GlobalArgs & { pipeline_id: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            const { keys } = await api.listPipelineObjects({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
            });
            session.output.result(keys.map(keyJson), () =>
              keyTable(keys, session, `Pipeline "${args.pipeline_id}" has no objects.`),
            );
          }),
        })
        .command({
          command: "put <pipeline_id> <keyValue>",
          describe: "Store a pipeline object",
          builder: (y: Argv) =>
            putOptions(
              y.positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              }),
            ),
          handler: action<PutArgs>(context, async (session, args) => {
            const { key, value } = await readStoreValue(session.io, args, "object");
            const { slowApi } = await session.connect();
            const put = await slowApi.putPipelineObject({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              key,
              content: value,
              force: args.force ?? false,
            });
            if (put.objectEvicted !== "") {
              session.output.note(
                `Object evicted due to pipeline object limit (${put.objectLimit}): "${put.objectEvicted}"`,
              );
            }
            session.output.result(
              { key, bytes: int64(put.bytes), object_limit: int64(put.objectLimit), object_evicted: put.objectEvicted },
              () =>
                session.output.success(`Stored object "${key}" of pipeline "${args.pipeline_id}" (${put.bytes} bytes)`),
            );
          }),
        })
        .command({
          command: "delete <pipeline_id> <key>",
          describe: "Delete a pipeline object",
          builder: (y: Argv) =>
            y
              .positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              })
              .positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { pipeline_id: string; key: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            await api.deletePipelineObject({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              key: args.key,
            });
            session.output.result({ key: args.key, deleted: true }, () =>
              session.output.success(`Deleted object "${args.key}" of pipeline "${args.pipeline_id}"`),
            );
          }),
        })
        .demandCommand(1, "Choose a store command: get, list, put or delete"),
    handler: () => {},
  };
}

export function runStoreCommand(context: CommandContext): CommandModule {
  return {
    command: "store",
    describe: "A run's objects: they expire once the run is older than the server's run_object_expiry",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "get <pipeline_id> <run_id> <key>",
          describe: "Write a run object's bytes to stdout",
          builder: (y: Argv) =>
            y
              .positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              })
              .positional("run_id", { type: "string", describe: "The run's number: 1, 2, 3, …" })
              .positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { pipeline_id: string; run_id: string; key: string }>(
            context,
            async (session, args) => {
              const { api } = await session.connect();
              const { content } = await api.getRunObject({
                namespaceId: session.namespace,
                pipelineId: args.pipeline_id,
                runId: runId(String(args.run_id)),
                key: args.key,
              });
              printObject(session, args.key, content);
            },
          ),
        })
        .command({
          command: "list <pipeline_id> <run_id>",
          describe: "List a run's object keys",
          builder: (y: Argv) =>
            y
              .positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              })
              .positional("run_id", { type: "string", describe: "The run's number: 1, 2, 3, …" }),
          handler: action<GlobalArgs & { pipeline_id: string; run_id: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            const { keys } = await api.listRunObjects({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              runId: runId(String(args.run_id)),
            });
            session.output.result(keys.map(keyJson), () =>
              keyTable(keys, session, `Run ${args.run_id} has no objects.`),
            );
          }),
        })
        .command({
          command: "put <pipeline_id> <run_id> <keyValue>",
          describe: "Store a run object",
          builder: (y: Argv) =>
            putOptions(
              y
                .positional("pipeline_id", {
                  type: "string",
                  describe: "The pipeline's id, as gofer pipeline list shows it",
                })
                .positional("run_id", { type: "string", describe: "The run's number: 1, 2, 3, …" }),
            ),
          handler: action<PutArgs & { run_id: string }>(context, async (session, args) => {
            const { key, value } = await readStoreValue(session.io, args, "object");
            const { slowApi } = await session.connect();
            const { bytes } = await slowApi.putRunObject({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              runId: runId(String(args.run_id)),
              key,
              content: value,
              force: args.force ?? false,
            });
            session.output.result({ key, bytes: int64(bytes) }, () =>
              session.output.success(`Stored object "${key}" of run ${args.run_id} (${bytes} bytes)`),
            );
          }),
        })
        .command({
          command: "delete <pipeline_id> <run_id> <key>",
          describe: "Delete a run object",
          builder: (y: Argv) =>
            y
              .positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              })
              .positional("run_id", { type: "string", describe: "The run's number: 1, 2, 3, …" })
              .positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { pipeline_id: string; run_id: string; key: string }>(
            context,
            async (session, args) => {
              const { api } = await session.connect();
              await api.deleteRunObject({
                namespaceId: session.namespace,
                pipelineId: args.pipeline_id,
                runId: runId(String(args.run_id)),
                key: args.key,
              });
              session.output.result({ key: args.key, deleted: true }, () =>
                session.output.success(`Deleted object "${args.key}" of run ${args.run_id}`),
              );
            },
          ),
        })
        .demandCommand(1, "Choose a store command: get, list, put or delete"),
    handler: () => {},
  };
}
