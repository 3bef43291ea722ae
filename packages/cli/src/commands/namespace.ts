// `gofer namespace …` (also `namespaces`): create, get, list, update, delete (spec §6).
import type { Argv, CommandModule } from "yargs";
import { limitOption, offsetOption, parseLimit, parseOffset } from "../count-flags.js";
import { usageError } from "../exit-codes.js";
import { action, type CommandContext, type GlobalArgs } from "../session.js";
import { namespaceDetails, namespaceJson, namespaceTable } from "../views/namespace-view.js";

interface IdArgs extends GlobalArgs {
  id: string;
}

const namespaceId = (y: Argv) =>
  y.positional("id", { type: "string", describe: 'The namespace\'s id, e.g. "default"' });

export function namespaceCommand(context: CommandContext): CommandModule {
  return {
    command: ["namespace", "namespaces"],
    describe: "Create and manage namespaces (groups of pipelines)",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "create <id> <name>",
          describe: "Create a namespace",
          builder: (y: Argv) =>
            namespaceId(y)
              .positional("name", { type: "string", describe: "A name for people" })
              .option("description", { alias: "d", type: "string", describe: "What it is for" }),
          handler: action<IdArgs & { name: string; description?: string }>(context, async (session, args) => {
            const { api } = await session.connect();
            const { namespace } = await api.createNamespace({
              id: args.id,
              name: args.name,
              description: args.description ?? "",
            });
            if (!namespace) throw new Error("the server sent no namespace");
            session.output.result(namespaceJson(namespace), () =>
              session.output.success(
                `Created namespace ${session.output.colors.blue(`[${namespace.id}]`)} ${JSON.stringify(namespace.name)}`,
              ),
            );
          }),
        })
        .command({
          command: "get <id>",
          describe: "Show a namespace",
          builder: namespaceId,
          handler: action<IdArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            const { namespace } = await api.getNamespace({ id: args.id });
            if (!namespace) throw new Error("the server sent no namespace");
            session.output.result(namespaceJson(namespace), () => namespaceDetails(namespace, session.output));
          }),
        })
        .command({
          command: "list",
          describe: "List namespaces",
          builder: (y: Argv) => y.option("limit", limitOption).option("offset", offsetOption),
          handler: action<GlobalArgs & { limit: string; offset: string }>(context, async (session, args) => {
            const page = { offset: BigInt(parseOffset(args.offset)), limit: BigInt(parseLimit(args.limit)) };
            const { api } = await session.connect();
            const { namespaces } = await api.listNamespaces(page);
            session.output.result(namespaces.map(namespaceJson), () => namespaceTable(namespaces, session.output));
          }),
        })
        .command({
          command: "update <id>",
          describe: "Change a namespace's name or description",
          builder: (y: Argv) =>
            namespaceId(y)
              .option("name", { alias: "n", type: "string", describe: "New name" })
              .option("description", { alias: "d", type: "string", describe: "New description" }),
          handler: action<IdArgs & { name?: string; description?: string }>(context, async (session, args) => {
            if (args.name === undefined && args.description === undefined) {
              throw usageError("nothing to update", "pass --name and/or --description");
            }
            const { api } = await session.connect();
            // UpdateNamespace replaces both fields: keep the one not given (v0.4.1 blanked it).
            const { namespace: current } = await api.getNamespace({ id: args.id });
            await api.updateNamespace({
              id: args.id,
              name: args.name ?? current?.name ?? "",
              description: args.description ?? current?.description ?? "",
            });
            const { namespace } = await api.getNamespace({ id: args.id });
            session.output.result(namespace ? namespaceJson(namespace) : { id: args.id }, () =>
              session.output.success(`Namespace "${args.id}" updated`),
            );
          }),
        })
        .command({
          command: "delete <id>",
          describe: "Delete a namespace with its pipelines",
          builder: namespaceId,
          handler: action<IdArgs>(context, async (session, args) => {
            const { api } = await session.connect();
            await api.deleteNamespace({ id: args.id });
            session.output.result({ id: args.id, deleted: true }, () =>
              session.output.success(`Namespace "${args.id}" deleted`),
            );
          }),
        })
        .demandCommand(1, "Choose a namespace command: create, get, list, update or delete"),
    handler: () => {},
  };
}
