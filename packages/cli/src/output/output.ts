// Where a command's results go. stdout carries results only: a pretty rendering, JSON (`--format json`, one
// document per command, or one JSON object per line for streams), or nothing (`--format silent`). Progress,
// prompts, hints and errors go to stderr, so `gofer … --format json | jq` always sees clean JSON.
import type { CliConfig, OutputFormat } from "../cli-config.js";
import type { CliIo } from "../cli-io.js";
import { colorAllowed, createPalette, type Palette } from "./palette.js";
import { Spinner } from "./spinner.js";

/** JSON.stringify that writes int64 values (bigint) as numbers, or strings when too large for a JSON number. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v) => (typeof v === "bigint" ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v),
    indent,
  );
}

export class Output {
  readonly format: OutputFormat;
  readonly detail: boolean;
  /** Colours for stdout. */
  readonly colors: Palette;
  /** Colours for stderr. */
  readonly errColors: Palette;

  constructor(
    private readonly io: CliIo,
    config: Pick<CliConfig, "format" | "detail" | "noColor">,
  ) {
    this.format = config.format;
    this.detail = config.detail;
    this.colors = createPalette(colorAllowed(io.stdout, config));
    this.errColors = createPalette(colorAllowed(io.stderr, config));
  }

  now(): Date {
    return this.io.clock.now();
  }

  /** The command's result: JSON in json mode, the pretty rendering in pretty mode, nothing when silent. */
  result(json: unknown, pretty: () => string): void {
    if (this.format === "json") this.io.stdout.write(`${toJson(json, 2)}\n`);
    else if (this.format === "pretty") this.write(pretty());
  }

  /** One item of a stream (events, log lines): a JSON line in json mode, a pretty line otherwise. */
  item(json: unknown, pretty: () => string): void {
    if (this.format === "json") this.io.stdout.write(`${toJson(json)}\n`);
    else if (this.format === "pretty") this.io.stdout.write(`${pretty()}\n`);
  }

  /** Text for people on stderr (hints, warnings, dialogue); shown in pretty and json output, not when silent. */
  note(text: string): void {
    if (this.format !== "silent") this.io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A spinner on stderr; it draws only on a terminal in pretty output. */
  spinner(): Spinner {
    return new Spinner(
      this.io.stderr,
      this.errColors,
      this.io.clock,
      this.io.stderr.isTTY === true && this.format === "pretty",
    );
  }

  /** ✓ text, in green on a terminal. */
  success(text: string): string {
    return `${this.colors.green("✓")} ${text}`;
  }

  private write(text: string): void {
    if (text === "") return;
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }
}
