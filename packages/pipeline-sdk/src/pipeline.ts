// pipeline(id, name): the root of a pipeline program. `finish()` validates the pipeline and prints its
// PipelineConfig bytes on stdout, which is what `gofer pipeline create <dir>` reads, exactly as a Go pipeline
// program built with the original SDK does. Anything else the program prints must go to stderr.
import type { CommonTask } from "./common-task.js";
import type { CustomTask } from "./custom-task.js";
import { encodePipelineConfig } from "./encode-pipeline-config.js";
import type { PipelineConfig, TaskConfig, TriggerConfig } from "./pipeline-config.js";
import type { Trigger } from "./trigger.js";
import { validatePipelineConfig } from "./validate-pipeline-config.js";

/** Where finish() writes; process.stdout by default. */
export interface FinishOutput {
  readonly isTTY?: boolean;
  write(chunk: Uint8Array | string): unknown;
}

export class Pipeline {
  private descriptionText = "";
  private parallelismLimit = 0n;
  private readonly taskList: Array<CustomTask | CommonTask> = [];
  private readonly triggerList: Trigger[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  description(text: string): this {
    this.descriptionText = text;
    return this;
  }

  /** Runs allowed at once; 0 (the default) leaves it to the server's run_parallelism_limit. */
  parallelism(limit: number | bigint): this {
    this.parallelismLimit = BigInt(limit);
    return this;
  }

  tasks(...tasks: Array<CustomTask | CommonTask>): this {
    this.taskList.push(...tasks);
    return this;
  }

  triggers(...triggers: Trigger[]): this {
    this.triggerList.push(...triggers);
    return this;
  }

  /** The validated config. @throws PipelineConfigError listing every problem. */
  build(): PipelineConfig {
    const config: PipelineConfig = {
      id: this.id,
      name: this.name,
      description: this.descriptionText,
      parallelism: this.parallelismLimit,
      tasks: this.taskList.map((task): TaskConfig => task.build()),
      triggers: this.triggerList.map((t): TriggerConfig => t.build()),
    };
    validatePipelineConfig(config);
    return config;
  }

  /** The proto.PipelineConfig bytes (map entries in sorted key order). */
  toBytes(): Uint8Array {
    return encodePipelineConfig(this.build());
  }

  /**
   * Prints the PipelineConfig bytes for `gofer pipeline create`. On a terminal it prints the config as JSON instead
   * (binary output would garble it), with a note on stderr.
   */
  finish(output: FinishOutput = process.stdout, errors: FinishOutput = process.stderr): void {
    const bytes = this.toBytes();
    if (output.isTTY) {
      errors.write(
        "stdout is a terminal, so the pipeline is shown as JSON; `gofer pipeline create <dir>` reads the binary form\n",
      );
      output.write(
        `${JSON.stringify(this.build(), (_key, value) => (typeof value === "bigint" ? Number(value) : value), 2)}\n`,
      );
      return;
    }
    output.write(bytes);
  }
}

export function pipeline(id: string, name: string): Pipeline {
  return new Pipeline(id, name);
}
