// An IANA time zone, reduced to the two questions a cron schedule asks: what does the wall clock read at an instant,
// and at which instants does it read a given wall time (none in a spring-forward gap, two in a fall-back overlap).
//
// Wall times are "wall ms": the local calendar fields encoded with Date.UTC, so plain arithmetic moves along the
// local calendar. Offsets come from Intl (ICU's tz database), at second precision.

export class TimeZoneError extends Error {
  override name = "TimeZoneError";
}

const DAY_MS = 86_400_000;

export class TimeZone {
  static readonly UTC = new TimeZone("UTC", undefined);

  /** The zone named `name` (any spelling Intl accepts, e.g. "Europe/Berlin", "utc"); one instance per zone. */
  static named(name: string): TimeZone {
    const known = zones.get(name);
    if (known) return known;
    let formatter: Intl.DateTimeFormat;
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone: name,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new TimeZoneError(
        `Invalid timezone '${name}': expected an IANA time zone name such as "UTC" or "Europe/Berlin"`,
      );
    }
    const canonical = formatter.resolvedOptions().timeZone;
    let zone = zones.get(canonical);
    if (!zone) {
      zone = canonical === "UTC" ? TimeZone.UTC : new TimeZone(canonical, formatter);
      zones.set(canonical, zone);
    }
    return zone;
  }

  private constructor(
    readonly name: string,
    /** Undefined for UTC, whose offset is always 0. */
    private readonly formatter: Intl.DateTimeFormat | undefined,
  ) {}

  /** The wall time (in wall ms) the zone's clocks show at an instant, to the second. */
  wallTimeAt(instantMs: number): number {
    const wholeSecondMs = instantMs - mod(instantMs, 1000);
    return wholeSecondMs + this.offsetMsAt(wholeSecondMs);
  }

  /**
   * The instants, earliest first, at which the zone's clocks show a wall time: none when a spring-forward transition
   * skips it, two when a fall-back transition repeats it. Assumes at most one transition within a day either side,
   * as Temporal's GetPossibleEpochNanoseconds does.
   */
  instantsAt(wallMs: number): number[] {
    if (!this.formatter) return [wallMs];
    const offsetBeforeMs = this.offsetMsAt(wallMs - DAY_MS);
    const offsetAfterMs = this.offsetMsAt(wallMs + DAY_MS);
    const instants: number[] = [];
    for (const offsetMs of offsetBeforeMs === offsetAfterMs ? [offsetBeforeMs] : [offsetBeforeMs, offsetAfterMs]) {
      const instantMs = wallMs - offsetMs;
      if (this.offsetMsAt(instantMs) === offsetMs) instants.push(instantMs);
    }
    return instants.sort((a, b) => a - b);
  }

  /**
   * For a wall time repeated by a fall-back transition, the wall time at which the repetition ends: the first one
   * that occurs only once again. Binary search for the transition between the two occurrences, to the second.
   */
  endOfRepetition(wallMs: number): number {
    const [first, second] = this.instantsAt(wallMs);
    if (first === undefined || second === undefined) return wallMs;
    const offsetBeforeMs = wallMs - first;
    let beforeMs = first;
    let transitionMs = second;
    while (transitionMs - beforeMs > 1000) {
      const middleMs = beforeMs + Math.floor((transitionMs - beforeMs) / 2000) * 1000;
      if (this.offsetMsAt(middleMs) === offsetBeforeMs) beforeMs = middleMs;
      else transitionMs = middleMs;
    }
    return transitionMs + offsetBeforeMs;
  }

  /** Wall time minus UTC at a whole-second instant. */
  private offsetMsAt(instantMs: number): number {
    if (!this.formatter) return 0;
    const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.formatter.formatToParts(instantMs)) {
      if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
    }
    const wallMs = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
    return wallMs - instantMs;
  }
}

// Shared by every schedule in the process: a zone is immutable, and each one holds an ICU formatter of a few KB that
// 10,000 subscriptions in one zone should not each pay for. It only ever memoises valid canonical zone names (about
// 600), so it holds no state a caller could observe.
const zones = new Map<string, TimeZone>([["UTC", TimeZone.UTC]]);

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
