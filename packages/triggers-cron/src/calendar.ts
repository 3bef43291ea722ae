// Gregorian calendar arithmetic on plain numbers (month 1-12), so the schedule search allocates no Dates.

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(year: number, month: number, day: number): number {
  const daysSinceEpoch = Date.UTC(year, month - 1, day) / 86_400_000;
  return (((daysSinceEpoch + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}
