// Where croner's semantics and ours agree (5- and 7-field forms, zones without daylight saving), croner is an
// independent oracle: a few hundred random expressions must fire at exactly the times croner names.
import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { parseCron } from "../src/cron-expression.js";
import { nextFireTime } from "../src/next-fire-time.js";

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** A small deterministic generator (an LCG), so a failure reproduces. */
function random(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
}

function randomTerm(next: (below: number) => number, min: number, max: number, names?: string[]): string {
  const value = () => min + next(max - min + 1);
  const name = (v: number) => (names && next(2) === 1 ? (names[v - min] as string) : String(v));
  switch (next(7)) {
    case 0:
    case 1:
      return "*";
    case 2:
      return name(value());
    case 3: {
      const start = value();
      return `${name(start)}-${name(start + next(max - start + 1))}`;
    }
    case 4:
      return `*/${1 + next(Math.max(1, Math.floor((max - min) / 2)))}`;
    case 5: {
      const start = value();
      return `${start}-${start + next(max - start + 1)}/${1 + next(5)}`;
    }
    default:
      return `${name(value())},${value()}`;
  }
}

describe("5- and 7-field expressions fire when croner says they do, in zones without daylight saving", () => {
  it("agrees on 20 consecutive fire times of 300 random expressions", () => {
    const next = random(20260101);
    let compared = 0;
    for (let i = 0; i < 300; i++) {
      const withSeconds = next(2) === 1;
      const terms = [randomTerm(next, 0, 59), randomTerm(next, 0, 23), randomTerm(next, 1, 31)];
      terms.push(randomTerm(next, 1, 12, MONTHS), randomTerm(next, 0, 6, DAYS));
      if (withSeconds) {
        terms.unshift(randomTerm(next, 0, 59));
        terms.push(next(3) ? "*" : randomTerm(next, 2026, 2040));
      }
      const expression = terms.join(" ");
      const timezone = ["UTC", "Asia/Tokyo", "Asia/Kolkata", "America/Phoenix"][next(4)] as string;
      const ours = parseCron(expression, { timezone });
      const croner = new Cron(expression, { timezone, mode: withSeconds ? "7-part" : "5-part" });
      let after: Date | null = new Date(
        Date.UTC(2026, next(12), 1 + next(28), next(24), next(60), next(60), next(1000)),
      );
      for (let k = 0; k < 20 && after; k++) {
        const expected = croner.nextRun(after);
        const actual = nextFireTime(ours, after);
        expect(actual?.toISOString(), `${expression} in ${timezone} after ${after.toISOString()}`).toBe(
          expected?.toISOString(),
        );
        compared++;
        after = actual;
      }
    }
    expect(compared).toBeGreaterThan(3000);
  });
});
