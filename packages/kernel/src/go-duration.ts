// Go's time.ParseDuration / Duration.String, because every duration a v0.4 user wrote (EVERY = "1h30m", stop_timeout
// = "5m") is in that grammar. Values are integer nanoseconds (bigint), as in Go; helpers convert to milliseconds.

const NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_INT64 = (1n << 63n) - 1n;

export class DurationError extends Error {
  override name = "DurationError";
}

/**
 * Parses a Go duration string: an optional sign, then one or more decimal numbers (fractions allowed) each with a
 * unit among ns, us (µs), ms, s, m, h — e.g. "300ms", "-1.5h", "2h45m". "0" alone is allowed. No days.
 */
export function parseGoDuration(text: string): bigint {
  const original = text;
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw new DurationError(`invalid duration "${original}"`);

  let total = 0n;
  while (s !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = number?.[1] ?? "";
    const fraction = number?.[2] ?? "";
    if (!number || (whole === "" && fraction === "")) throw new DurationError(`invalid duration "${original}"`);
    s = s.slice(number[0].length);

    const unitMatch = /^[^\d.]+/.exec(s);
    if (!unitMatch) throw new DurationError(`missing unit in duration "${original}"`);
    const unitText = unitMatch[0];
    const unit = NANOS[unitText];
    if (unit === undefined) throw new DurationError(`unknown unit "${unitText}" in duration "${original}"`);
    s = s.slice(unitText.length);

    let value = BigInt(whole === "" ? "0" : whole) * unit;
    if (fraction !== "") {
      // Go truncates the fraction towards zero at nanosecond precision.
      value += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    }
    total += value;
    if (total > MAX_INT64 + (negative ? 1n : 0n)) throw new DurationError(`invalid duration "${original}"`);
  }
  return negative ? -total : total;
}

/** Formats nanoseconds the way Go's Duration.String does: "1h30m0s", "1.5s", "300ms", "0s". */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  const negative = nanos < 0n;
  let u = negative ? -nanos : nanos;
  const sign = negative ? "-" : "";

  if (u < NANOS.s!) {
    // Sub-second values use the largest fitting unit with a fraction: "1.5ms", "800ns".
    const [unit, size] = u < NANOS.us! ? ["ns", 1n] : u < NANOS.ms! ? ["µs", NANOS.us!] : ["ms", NANOS.ms!];
    return `${sign}${fractional(u, size as bigint)}${unit}`;
  }

  const hours = u / NANOS.h!;
  u -= hours * NANOS.h!;
  const minutes = u / NANOS.m!;
  u -= minutes * NANOS.m!;
  const seconds = fractional(u, NANOS.s!);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function fractional(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  const fraction = rest.toString().padStart(digits, "0").replace(/0+$/, "");
  return `${whole}.${fraction}`;
}

/** Parses a Go duration and returns milliseconds (fractional below 1 ms). */
export function parseGoDurationMs(text: string): number {
  return Number(parseGoDuration(text)) / 1e6;
}

export function formatGoDurationMs(ms: number): string {
  return formatGoDuration(BigInt(Math.round(ms * 1e6)));
}
