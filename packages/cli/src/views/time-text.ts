// Times in pretty output: relative ("3 minutes ago"), with the absolute time too under --detail.
import { absoluteTime, relativeTime } from "../output/humanize.js";
import type { Output } from "../output/output.js";

export function timeText(epochMs: bigint | number, output: Output): string {
  const ms = Number(epochMs);
  if (ms === 0) return "-";
  const relative = relativeTime(ms, output.now());
  return output.detail ? `${relative} (${absoluteTime(ms)})` : relative;
}
