// The checks `build()` runs before anything is printed, so a mistake shows up where the pipeline is written rather
// than as a refusal from the server. The rules are the server's own (check-pipeline-config.ts).
import { type CheckableTask, checkPipelineConfig, formatProblem, type Problem } from "./check-pipeline-config.js";
import type { PipelineConfig } from "./pipeline-config.js";

/** Every problem found in a pipeline config, one per line of the message. */
export class PipelineConfigError extends Error {
  override name = "PipelineConfigError";

  constructor(
    /** One line per problem, e.g. `pipeline "p" task "build": image is required`. */
    readonly problems: readonly string[],
    /** The same problems with their field paths. */
    readonly found: readonly Problem[] = [],
  ) {
    super(problems.join("\n"));
  }
}

export function validatePipelineConfig(config: PipelineConfig): void {
  const checkable = { ...config, tasks: config.tasks.map((task): CheckableTask => task) };
  const found = checkPipelineConfig(checkable);
  if (found.length > 0) {
    throw new PipelineConfigError(
      found.map((problem) => formatProblem(checkable, problem)),
      found,
    );
  }
}
