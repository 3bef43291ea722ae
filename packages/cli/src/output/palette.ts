// ANSI colours, or none: a Palette is made once per stream, from whether that stream may carry colour.
// Colour only reaches a terminal, never with --no-color / no_color / NO_COLOR, and never in json or silent output.
import type { OutputStream } from "../cli-io.js";

export interface Palette {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

const style = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain = (text: string) => text;

export function createPalette(enabled: boolean): Palette {
  if (!enabled) {
    return {
      enabled,
      bold: plain,
      dim: plain,
      red: plain,
      green: plain,
      yellow: plain,
      blue: plain,
      cyan: plain,
      magenta: plain,
    };
  }
  return {
    enabled,
    bold: style(1, 22),
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    blue: style(34, 39),
    cyan: style(36, 39),
    magenta: style(35, 39),
  };
}

export function colorAllowed(stream: OutputStream, options: { noColor: boolean; format: string }): boolean {
  return stream.isTTY === true && !options.noColor && options.format === "pretty";
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The text without colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Columns the text takes on a terminal (colour codes take none). */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}
