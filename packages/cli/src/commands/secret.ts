// `gofer secret pipeline|global get|list|put|delete` (spec §9.6, plus delete, which v0.4.1 lacked). Put reads the
// value from KEY=VALUE, --file or standard input (store-value.ts) and never prints it; get prints the value raw,
// exactly (v0.4.1 passed it through Printf, mangling any "%", §9.7 S18), or JSON with --format json.
import type { Argv, CommandModule } from "yargs";
import { renderTable } from "../output/table.js";
import { action, type CommandContext, type GlobalArgs, type Session } from "../session.js";
import { int64 } from "../views/int64.js";
import { timeText } from "../views/time-text.js";
import { readStoreValue } from "./store-value.js";

interface KeyInfo {
  key: string;
  created: bigint;
}

function keyTable(keys: readonly KeyInfo[], session: Session, empty: string): string {
  if (keys.length === 0) return empty;
  const c = session.output.colors;
  return renderTable(
    ["Key", "Created"],
    keys.map((k) => [c.blue(k.key), timeText(k.created, session.output)]),
    c,
  );
}

const keyJson = (k: KeyInfo) => ({ key: k.key, created: int64(k.created) });

interface PutArgs extends GlobalArgs {
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
    .option("file", { type: "string", describe: "Read the value from this file" })
    .option("force", { alias: "f", type: "boolean", describe: "Overwrite the secret if it exists" });

function pipelineSecrets(context: CommandContext): CommandModule {
  return {
    command: "pipeline",
    describe: "Secrets of one pipeline (any token of its namespace)",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "get <pipeline_id> <key>",
          describe: "Print a pipeline secret's value",
          builder: (y: Argv) =>
            y
              .positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              })
              .positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { pipeline_id: string; key: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            const got = await api.getPipelineSecret({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              key: args.key,
              includeSecret: true,
            });
            printSecret(session, args.key, got);
          }),
        })
        .command({
          command: "list <pipeline_id>",
          describe: "List a pipeline's secret keys (never the values)",
          builder: (y: Argv) =>
            y.positional("pipeline_id", {
              type: "string",
              describe: "The pipeline's id, as gofer pipeline list shows it",
            }),
          handler: action<GlobalArgs & { pipeline_id: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            const { keys } = await api.listPipelineSecrets({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
            });
            session.output.result(keys.map(keyJson), () =>
              keyTable(keys, session, `Pipeline "${args.pipeline_id}" has no secrets.`),
            );
          }),
        })
        .command({
          command: "put <pipeline_id> <keyValue>",
          describe: "Store a pipeline secret (value from KEY=VALUE, --file or standard input)",
          builder: (y: Argv) =>
            putOptions(
              y.positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              }),
            ),
          handler: action<PutArgs & { pipeline_id: string }>(context, async (session, args) => {
            const { key, value } = await readStoreValue(session.io, args, "secret");
            const { api } = await session.connect();
            const { bytes } = await api.putPipelineSecret({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              key,
              content: value.toString("utf8"),
              force: args.force ?? false,
            });
            session.output.result({ key, bytes: int64(bytes) }, () =>
              session.output.success(`Stored secret "${key}" of pipeline "${args.pipeline_id}" (${bytes} bytes)`),
            );
          }),
        })
        .command({
          command: "delete <pipeline_id> <key>",
          describe: "Delete a pipeline secret",
          builder: (y: Argv) =>
            y
              .positional("pipeline_id", {
                type: "string",
                describe: "The pipeline's id, as gofer pipeline list shows it",
              })
              .positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { pipeline_id: string; key: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            await api.deletePipelineSecret({
              namespaceId: session.namespace,
              pipelineId: args.pipeline_id,
              key: args.key,
            });
            session.output.result({ key: args.key, deleted: true }, () =>
              session.output.success(`Deleted secret "${args.key}" of pipeline "${args.pipeline_id}"`),
            );
          }),
        })
        .demandCommand(1, "Choose a command: get, list, put or delete"),
    handler: () => {},
  };
}

function globalSecrets(context: CommandContext): CommandModule {
  return {
    command: "global",
    describe: "Global secrets, for trigger and common task install config (management tokens only)",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "get <key>",
          describe: "Print a global secret's value",
          builder: (y: Argv) =>
            y.positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { key: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            printSecret(session, args.key, await api.getGlobalSecret({ key: args.key, includeSecret: true }));
          }),
        })
        .command({
          command: "list",
          describe: "List global secret keys (never the values)",
          handler: action(context, async (session) => {
            const { api } = await session.connect();
            const { keys } = await api.listGlobalSecrets({});
            session.output.result(keys.map(keyJson), () => keyTable(keys, session, "There are no global secrets."));
          }),
        })
        .command({
          command: "put <keyValue>",
          describe: "Store a global secret (value from KEY=VALUE, --file or standard input)",
          builder: putOptions,
          handler: action<PutArgs>(context, async (session, args) => {
            const { key, value } = await readStoreValue(session.io, args, "secret");
            const { api } = await session.connect();
            const { bytes } = await api.putGlobalSecret({
              key,
              content: value.toString("utf8"),
              force: args.force ?? false,
            });
            session.output.result({ key, bytes: int64(bytes) }, () =>
              session.output.success(`Stored global secret "${key}" (${bytes} bytes)`),
            );
          }),
        })
        .command({
          command: "delete <key>",
          describe: "Delete a global secret",
          builder: (y: Argv) =>
            y.positional("key", { type: "string", describe: "The key, as the list command shows it" }),
          handler: action<GlobalArgs & { key: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            await api.deleteGlobalSecret({ key: args.key });
            session.output.result({ key: args.key, deleted: true }, () =>
              session.output.success(`Deleted global secret "${args.key}"`),
            );
          }),
        })
        .demandCommand(1, "Choose a command: get, list, put or delete"),
    handler: () => {},
  };
}

function printSecret(session: Session, key: string, got: { metadata?: KeyInfo | undefined; secret: string }): void {
  if (session.output.format === "json") {
    session.output.result({ key, created: int64(got.metadata?.created ?? 0n), secret: got.secret }, () => "");
  } else if (session.output.format === "pretty") {
    // Raw: exactly the value, no newline added, so `$(gofer secret … get …)` is the value.
    session.io.stdout.write(got.secret);
  }
}

export function secretCommand(context: CommandContext): CommandModule {
  return {
    command: ["secret", "secrets"],
    describe: "Store and read pipeline and global secrets",
    builder: (yargs: Argv) =>
      yargs
        .command(pipelineSecrets(context))
        .command(globalSecrets(context))
        .demandCommand(1, "Choose a secret command: pipeline or global"),
    handler: () => {},
  };
}
