// `gofer service tokens …` (also `token`): bootstrap, create, list, get, enable, disable, delete, whoami.
// Only bootstrap and create print a token; it is shown once (the server keeps only its hash).
import { CreateTokenRequest_Kind } from "@gofer/proto";
import type { Argv, CommandModule } from "yargs";
import { usageError } from "../exit-codes.js";
import { parseKeyValueFlags } from "../key-value-flags.js";
import type { Output } from "../output/output.js";
import { action, type CommandContext, type GlobalArgs, type Session } from "../session.js";
import { tokenDetails, tokenJson, tokenTable } from "../views/token-view.js";

interface TokenArgs extends GlobalArgs {
  secret: string;
}

function issued(output: Output, what: string, token: string): string {
  const y = output.colors.yellow;
  return [
    output.success(what),
    "",
    `  ${output.colors.bold(token)}`,
    "",
    "  It is shown only this once. Use it with --token, GOFER_CLI_TOKEN, or token in ~/.gofer.toml:",
    `  ${y(`export GOFER_CLI_TOKEN=${token}`)}`,
  ].join("\n");
}

export function tokensCommand(context: CommandContext): CommandModule {
  const bySecret = (command: string, describe: string, run: (session: Session, token: string) => Promise<void>) => ({
    command: `${command} <secret>`,
    describe,
    builder: (y: Argv) => y.positional("secret", { type: "string", describe: "The token" }),
    handler: action<TokenArgs>(context, (session, args) => run(session, args.secret)),
  });
  return {
    command: ["tokens", "token"],
    describe: "Manage API tokens",
    builder: (yargs: Argv) =>
      yargs
        .command({
          command: "bootstrap",
          describe: "Create the first management token (works once, on a server with no tokens)",
          handler: action(context, async (session) => {
            const { api } = await session.connect();
            const { details, token } = await api.bootstrapToken({});
            session.output.result({ token, details: details ? tokenJson(details) : null }, () =>
              issued(session.output, "Bootstrap token created (management)", token),
            );
          }),
        })
        .command({
          command: "create <kind>",
          describe: "Create a token: management (may do anything) or client (its namespaces only)",
          builder: (y: Argv) =>
            y
              .positional("kind", { choices: ["management", "client"] as const, describe: "Kind of token" })
              .option("expires", {
                alias: "e",
                type: "string",
                default: "24h",
                describe: "Lifetime as a Go duration, e.g. 24h",
              })
              .option("namespaces", {
                alias: "n",
                type: "string",
                array: true,
                nargs: 1,
                default: ["default"],
                describe: "Namespaces it may act in (repeatable)",
              })
              .option("metadata", {
                alias: "m",
                type: "string",
                array: true,
                nargs: 1,
                describe: "key:value to remember about it (repeatable)",
              }),
          handler: action<
            GlobalArgs & { kind: "management" | "client"; expires: string; namespaces: string[]; metadata?: string[] }
          >(context, async (session, args) => {
            const metadata = parseKeyValueFlags(args.metadata ?? [], "-m/--metadata", ":");
            const { api } = await session.connect();
            const { details, token } = await api.createToken({
              kind: args.kind === "management" ? CreateTokenRequest_Kind.MANAGEMENT : CreateTokenRequest_Kind.CLIENT,
              namespaces: args.namespaces,
              metadata,
              expires: args.expires,
            });
            session.output.result({ token, details: details ? tokenJson(details) : null }, () =>
              issued(session.output, `Token created (${args.kind})`, token),
            );
          }),
        })
        .command({
          command: "list",
          describe: "List tokens (with --namespace, those that may act in it)",
          handler: action(context, async (session) => {
            const { api } = await session.connect();
            const { tokens } = await api.listTokens({ namespace: session.namespace });
            session.output.result(tokens.map(tokenJson), () => tokenTable(tokens, session.output));
          }),
        })
        .command(
          bySecret("get", "Show a token's details", async (session, token) => {
            const { api } = await session.connect();
            const { details } = await api.getToken({ token });
            if (!details) throw new Error("the server sent no token details");
            session.output.result(tokenJson(details), () => tokenDetails(details, session.output));
          }),
        )
        .command(
          bySecret("enable", "Enable a token", async (session, token) => {
            const { api } = await session.connect();
            await api.enableToken({ token });
            session.output.result({ enabled: true }, () => session.output.success("Token enabled"));
          }),
        )
        .command(
          bySecret(
            "disable",
            "Disable a token: calls with it are refused until it is enabled",
            async (session, token) => {
              const { api } = await session.connect();
              await api.disableToken({ token });
              session.output.result({ disabled: true }, () => session.output.success("Token disabled"));
            },
          ),
        )
        .command(
          bySecret("delete", "Delete a token", async (session, token) => {
            const { api } = await session.connect();
            await api.deleteToken({ token });
            session.output.result({ deleted: true }, () => session.output.success("Token deleted"));
          }),
        )
        .command({
          command: "whoami",
          describe: "Show the details of the token this CLI uses",
          handler: action(context, async (session) => {
            const token = session.config.token;
            if (!token) {
              throw usageError(
                "no token is configured (a --dev server needs none)",
                "pass --token, set GOFER_CLI_TOKEN, or token in ~/.gofer.toml",
              );
            }
            const { api } = await session.connect();
            const { details } = await api.getToken({ token });
            if (!details) throw new Error("the server sent no token details");
            session.output.result(tokenJson(details), () => tokenDetails(details, session.output));
          }),
        })
        .demandCommand(1, "Choose a tokens command: bootstrap, create, list, get, enable, disable, delete or whoami"),
    handler: () => {},
  };
}
