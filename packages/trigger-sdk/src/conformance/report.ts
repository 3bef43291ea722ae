// The result of a conformance run and its human-readable rendering. The JSON form is the report object itself.
import type { ConformanceProfile, TriggerKind } from "./options.js";

/**
 * pass: the trigger did what the contract asks. fail: it did not (the run fails). warn: it differs from what our
 * triggers do but matches a tolerated original quirk (the run still passes). skip: the case could not run, e.g. the
 * server never started, or it does not apply to this trigger.
 */
export type CaseStatus = "pass" | "fail" | "warn" | "skip";

export interface CaseResult {
  /** Stable dotted id, e.g. "auth.wrong-key"; the extended profile's start with "ext.". */
  readonly id: string;
  /** The profile the case belongs to: core (the v0.4 contract) or extended (beyond it). */
  readonly profile: ConformanceProfile;
  readonly title: string;
  readonly status: CaseStatus;
  /** Why it passed, failed, warned or was skipped, naming the values seen. */
  readonly message: string;
  readonly durationMs: number;
}

export interface ConformanceReport {
  readonly trigger: TriggerKind;
  /** The profile the run was asked for; an extended run also holds every core case. */
  readonly profile: ConformanceProfile;
  /** The command line or image that was checked. */
  readonly target: string;
  /** True when no case failed. */
  readonly passed: boolean;
  readonly counts: Readonly<Record<CaseStatus, number>>;
  readonly cases: readonly CaseResult[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** The tail of the server process's output, for diagnosing failures. */
  readonly serverOutput: { readonly stdout: string; readonly stderr: string } | undefined;
}

export function countStatuses(cases: readonly CaseResult[]): Record<CaseStatus, number> {
  const counts: Record<CaseStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const result of cases) counts[result.status]++;
  return counts;
}

const LABELS: Record<CaseStatus, string> = { pass: "PASS", fail: "FAIL", warn: "WARN", skip: "SKIP" };
const OUTPUT_TAIL_LINES = 30;

export function formatCaseResult(result: CaseResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const head = `${LABELS[result.status]}  ${result.profile.padEnd(8)} ${result.id.padEnd(34)} ${result.title} (${seconds} s)`;
  if (result.message === "") return head;
  const body = result.message
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
  return `${head}\n${body}`;
}

export function formatReport(report: ConformanceReport): string {
  const lines = [
    `Gofer v0.4 trigger conformance: --trigger ${report.trigger} --profile ${report.profile}, ${report.target}`,
    "",
  ];
  for (const result of report.cases) lines.push(formatCaseResult(result));
  const { pass, fail, warn, skip } = report.counts;
  lines.push("");
  lines.push(
    `${report.passed ? "PASSED" : "FAILED"}: ${pass} passed, ${fail} failed, ${warn} warnings, ${skip} skipped ` +
      `in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  if (!report.passed && report.serverOutput) {
    for (const [stream, text] of Object.entries(report.serverOutput)) {
      const tail = text.trimEnd().split("\n").slice(-OUTPUT_TAIL_LINES);
      if (tail.join("") === "") continue;
      lines.push("", `Last ${tail.length} lines of the server's ${stream}:`, ...tail.map((line) => `  | ${line}`));
    }
  }
  return lines.join("\n");
}
