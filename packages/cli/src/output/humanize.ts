// Words for people: enum names as "User cancelled", times as "3 minutes ago", durations as "2m 5s".

/** RUNNING → "Running", USER_CANCELLED → "User cancelled", any *UNKNOWN* name → "Unknown". */
export function humanizeEnum(name: string): string {
  if (name === "" || name === "UNRECOGNIZED" || /(^|_)UNKNOWN(_|$)/.test(name)) return "Unknown";
  const words = name.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const UNITS: Array<[string, number]> = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** "5 minutes ago", "in 2 hours", "just now"; epochMs 0 (unset) gives "never". */
export function relativeTime(epochMs: number, now: Date): string {
  if (epochMs === 0) return "never";
  const diffMs = now.getTime() - epochMs;
  const abs = Math.abs(diffMs);
  if (abs < 1000) return "just now";
  for (const [unit, size] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const phrase = `${n} ${unit}${n === 1 ? "" : "s"}`;
      return diffMs >= 0 ? `${phrase} ago` : `in ${phrase}`;
    }
  }
  return "just now";
}

/** "850ms", "12s", "3m 5s", "2h 3m", "4d 1h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** "2024-05-01 12:00:03 UTC"; 0 gives "-". */
export function absoluteTime(epochMs: number): string {
  if (epochMs === 0) return "-";
  return new Date(epochMs)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** Cuts text to width characters, ending in "…" when cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, " ")];
  return chars.length <= width ? chars.join("") : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}
