/**
 * The configuration cannot be used. Each problem names the key, the value and where it came from, e.g.
 * `triggers.stop_timeout = "5 minutes" (from env GOFER_TRIGGERS_STOP_TIMEOUT): not a duration; …`. All problems
 * found are reported at once, one per line.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} configuration problems:\n${problems.join("\n")}`);
    this.problems = problems;
  }
}
