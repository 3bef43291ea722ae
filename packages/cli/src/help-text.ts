// Help text laid out for the screen. yargs's ESM build wraps by cutting lines every N characters, mid-word
// ("TypeScr|ipt"), so the CLI asks yargs for unwrapped help and wraps it here, at word boundaries only.

/** The width help is wrapped to: the terminal's, else 80 (a pipe, a file, a test). */
export function helpWidth(stream: { readonly isTTY?: boolean; readonly columns?: number }): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
}

/**
 * Wraps each line longer than width at spaces. A line of a two-column listing ("  --host   Gofer API host…")
 * continues under its second column; when that column starts too far right to leave room, the text continues
 * indented four spaces instead. A word longer than a whole line is left whole.
 */
export function wrapHelp(text: string, width: number): string {
  return text
    .split("\n")
    .flatMap((line) => wrapLine(line.trimEnd(), width))
    .join("\n");
}

function wrapLine(line: string, width: number): string[] {
  if ([...line].length <= width) return [line];
  const indent = /^ */.exec(line)?.[0].length ?? 0;
  const continuation = " ".repeat(Math.min(indent + 4, Math.floor(width / 2)));
  // The second column starts after the first run of two or more spaces that follows some text.
  const column = /^( *\S+(?: \S+)*) {2,}(?=\S)/.exec(line);
  if (!column) return fill(line.slice(indent), " ".repeat(indent), continuation, width);
  const [firstColumn = "", first = ""] = column;
  const second = line.slice(firstColumn.length);
  if (firstColumn.length <= width / 2) return fill(second, firstColumn, " ".repeat(firstColumn.length), width);
  return [
    ...fill(first.slice(indent), " ".repeat(indent), continuation, width),
    ...fill(second, continuation, continuation, width),
  ];
}

/** Words of text after prefix, then on lines starting with continuation, none longer than width if it can help it. */
function fill(text: string, prefix: string, continuation: string, width: number): string[] {
  const lines: string[] = [];
  let current = prefix;
  let empty = true;
  for (const word of text.split(" ").filter((w) => w !== "")) {
    const candidate = empty ? current + word : `${current} ${word}`;
    if (!empty && [...candidate].length > width) {
      lines.push(current);
      current = continuation + word;
    } else current = candidate;
    empty = false;
  }
  lines.push(current);
  return lines;
}
