// `gofer event …` (also `events`): get one event, or list them (event-list.ts): oldest first (--reverse: newest
// first), --limit N most recent, filtered by --kind and --pipeline, with --follow to keep printing new ones as they
// happen (until Ctrl-C).
import type { Argv, CommandModule } from "yargs";
import { parseLimit } from "../count-flags.js";
import { usageError } from "../exit-codes.js";
import { parseNumericId } from "../numeric-id.js";
import { action, type CommandContext, type GlobalArgs } from "../session.js";
import { type EventFilter, parseEventKind } from "../views/event-filter.js";
import { eventDetails, eventJson } from "../views/event-view.js";
import { listEvents } from "./event-list.js";

interface ListArgs {
  limit?: string;
  reverse?: boolean;
  kind?: string[];
  pipeline?: string;
  follow?: boolean;
}

export function eventCommand(context: CommandContext): CommandModule {
  return {
    command: ["event", "events"],
    describe: "Read the event log",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "get <id>",
          describe: "Show one event",
          builder: (y: Argv) =>
            y.positional("id", { type: "string", describe: "The event's number, as gofer event list shows it" }),
          handler: action<GlobalArgs & { id: string }>(context, async (session, args) => {
            if (!/^\d+$/.test(String(args.id)))
              throw usageError(`event id ${JSON.stringify(String(args.id))} is not a number`);
            const { api } = await session.connect();
            const { event } = await api.getEvent({ id: parseNumericId(args.id, "event id") });
            if (!event) throw new Error("the server sent no event");
            session.output.result(eventJson(event), () => eventDetails(event, session.output));
          }),
        })
        .command({
          command: "list",
          describe: "List events, oldest first; filter by kind or pipeline, follow new ones",
          builder: (y: Argv) =>
            y
              .option("limit", {
                alias: "l",
                type: "string",
                describe: "Only the N most recent that match (with --follow: those, then new ones)",
              })
              .option("reverse", { alias: "r", type: "boolean", describe: "Newest first" })
              .option("kind", {
                alias: "k",
                type: "string",
                array: true,
                nargs: 1,
                describe: 'Only this kind, e.g. STARTED_RUN or "started run" (repeatable)',
              })
              .option("pipeline", {
                alias: "p",
                type: "string",
                describe: "Only events of this pipeline (in the namespace acted in)",
              })
              .option("follow", {
                alias: "f",
                type: "boolean",
                describe: "Keep printing new events as they happen, until Ctrl-C (not with --reverse)",
              })
              .example("$0 event list --reverse --limit 20", "the 20 newest events, newest first")
              .example(
                "$0 event list --kind started_run --pipeline demo --limit 5 --follow",
                "the demo's last 5 run starts, then each new one",
              ),
          handler: action<GlobalArgs & ListArgs>(context, async (session, args) => {
            if (args.reverse && args.follow) throw usageError("--follow and --reverse cannot be used together");
            const limit = args.limit === undefined ? undefined : parseLimit(args.limit);
            const kinds = [...new Set((args.kind ?? []).map(parseEventKind))];
            const connection = await session.connect();
            let pipeline: EventFilter["pipeline"];
            if (args.pipeline !== undefined) {
              // Also resolves the namespace the server picks when none is given, and says when there is no such pipeline.
              const { pipeline: found } = await connection.api.getPipeline({
                namespaceId: session.namespace,
                id: args.pipeline,
              });
              pipeline = { namespaceId: found?.namespace ?? session.namespace, id: args.pipeline };
            }
            const { output } = session;
            const printed = await listEvents(connection, output, {
              limit,
              reverse: Boolean(args.reverse),
              follow: Boolean(args.follow),
              filter: { kinds, pipeline },
            });
            if (printed === 0 && output.format === "pretty") output.note("No events.");
          }),
        })
        .demandCommand(1, "Choose an event command: get or list"),
    handler: () => {},
  };
}
