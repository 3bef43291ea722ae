// What the comparing trigger benchmarks share: their command-line options, CPU pinning, the programs under test, and
// "median (min–max)" over alternating rounds.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { commandWords } from "./trigger-process.js";

export interface Program {
  /** "ours" or "compare". */
  name: string;
  command: string[];
}

/** `--name value` options after the benchmark's name; `--flag` alone reads as "true". */
export function readOptions(argv: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") continue;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}"; options are --name value`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) options.set(arg.slice(2), "true");
    else {
      options.set(arg.slice(2), next);
      i++;
    }
  }
  return options;
}

export function numberOption(options: Map<string, string>, name: string, fallback: number): number {
  const text = options.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/**
 * Our trigger program as it ships: its `./trigger` runs the bundle, which is rebuilt first (a stale bundle would make
 * `./trigger` fall back to the TypeScript sources under tsx, which costs ~40 MB and much CPU).
 */
export function ourTrigger(kind: "interval" | "cron"): string[] {
  const dir = fileURLToPath(new URL(`../packages/triggers-${kind}/`, import.meta.url));
  const built = spawnSync("pnpm", ["-s", "build"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  if (built.status !== 0) throw new Error(`pnpm build failed in ${dir}`);
  return [`${dir}trigger`];
}

/** Ours, then the --compare program if one was given. */
export function programs(kind: "interval" | "cron", compare: string | undefined): Program[] {
  return [
    { name: "ours", command: ourTrigger(kind) },
    ...(compare ? [{ name: "compare", command: commandWords(compare) }] : []),
  ];
}

/** Round r runs the programs in turn, the order flipped every other round so neither always goes first. */
export function roundOrder<T>(items: T[], round: number): T[] {
  return round % 2 === 0 ? items : [...items].reverse();
}

/**
 * Pins this process (the client) to CPU 0 and returns the CPU for the trigger (1), as the measurements did;
 * undefined (no pinning) on a single core, without taskset, or with --no-pin.
 */
export function pinClient(options: Map<string, string>): number | undefined {
  if (options.has("no-pin") || availableParallelism() < 2) return undefined;
  const result = spawnSync("taskset", ["-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
  return result.status === 0 ? 1 : undefined;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** "1,650 (1,643–1,785)"; a single round prints only its value. */
export function formatSpread(s: Spread, digits = 0): string {
  const f = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** ours / theirs as "0.59×". */
export function ratio(ours: number, theirs: number): string {
  return `${(ours / theirs).toFixed(2)}×`;
}
