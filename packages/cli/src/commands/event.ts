// `gofer event …` (also `events`): get one event, or list them oldest first (--reverse: newest first), with
// --follow to keep printing new ones as they happen (until Ctrl-C).
import type { ListEventsResponse } from "@gofer/proto";
import type { Argv, CommandModule } from "yargs";
import { usageError } from "../exit-codes.js";
import { action, type CommandContext, type GlobalArgs } from "../session.js";
import { eventDetails, eventJson, eventLine } from "../views/event-view.js";

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
            const { event } = await api.getEvent({ id: BigInt(args.id) });
            if (!event) throw new Error("the server sent no event");
            session.output.result(eventJson(event), () => eventDetails(event, session.output));
          }),
        })
        .command({
          command: "list",
          describe: "List events, oldest first",
          builder: (y: Argv) =>
            y.option("reverse", { alias: "r", type: "boolean", describe: "Newest first" }).option("follow", {
              alias: "f",
              type: "boolean",
              describe: "Keep printing new events (not with --reverse)",
            }),
          handler: action<GlobalArgs & { reverse?: boolean; follow?: boolean }>(context, async (session, args) => {
            if (args.reverse && args.follow) throw usageError("--follow and --reverse cannot be used together");
            const { client, metadata } = await session.connect();
            const { output } = session;
            const call = client.listEvents({ reverse: Boolean(args.reverse), follow: Boolean(args.follow) }, metadata);
            let count = 0;
            try {
              for await (const { event } of call as AsyncIterable<ListEventsResponse>) {
                if (!event) continue;
                count++;
                output.item(eventJson(event), () => eventLine(event, output));
              }
            } finally {
              call.cancel();
            }
            if (count === 0 && output.format === "pretty") output.note("No events.");
          }),
        })
        .demandCommand(1, "Choose an event command: get or list"),
    handler: () => {},
  };
}
