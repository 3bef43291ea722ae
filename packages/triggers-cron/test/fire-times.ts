// Shared by the schedule tests: the next few fire times of an expression, as ISO strings.
import { parseCron } from "../src/cron-expression.js";
import { nextFireTime } from "../src/next-fire-time.js";

export function fireTimes(expression: string, after: string, count: number, timezone?: string): string[] {
  const schedule = parseCron(expression, timezone === undefined ? {} : { timezone });
  const times: string[] = [];
  let cursor: Date | null = new Date(after);
  while (times.length < count) {
    cursor = nextFireTime(schedule, cursor);
    if (cursor === null) break;
    times.push(cursor.toISOString());
  }
  return times;
}

export function parseError(expression: string, timezone?: string): string {
  try {
    parseCron(expression, timezone === undefined ? {} : { timezone });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(expression)} to be rejected`);
}
