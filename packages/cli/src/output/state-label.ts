// An enum value as people read it, coloured by what it means: going well (green), in progress (yellow), stopped or
// failed (red). Colour is a hint only; the words carry the meaning.
import { humanizeEnum } from "./humanize.js";
import type { Palette } from "./palette.js";

const GOOD = new Set(["RUNNING", "ENABLED", "ACTIVE", "SUCCESSFUL", "SUCCESS", "COMPLETE"]);
const BUSY = new Set(["PROCESSING", "PENDING", "WAITING"]);
const BAD = new Set(["EXITED", "DISABLED", "FAILED", "CANCELLED", "FAILURE"]);

export function stateLabel(name: string, palette: Palette): string {
  const words = humanizeEnum(name);
  if (GOOD.has(name)) return palette.green(words);
  if (BUSY.has(name)) return palette.yellow(words);
  if (BAD.has(name)) return palette.red(words);
  return words;
}
