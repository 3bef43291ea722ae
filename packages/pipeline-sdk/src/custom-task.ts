// customTask(id, image): a task that runs a container image, described step by step as in the Go SDK's
// NewCustomTask(...).Description(...).DependsOn(...).
import type { CustomTaskConfig, RegistryAuth, RequiredParentStatus } from "./pipeline-config.js";

export class CustomTask {
  private descriptionText = "";
  private auth: RegistryAuth | undefined;
  private readonly parents: Record<string, RequiredParentStatus> = {};
  private readonly env: Record<string, string> = {};
  private entrypointArgs: string[] = [];
  private commandArgs: string[] = [];

  constructor(
    readonly id: string,
    readonly image: string,
  ) {}

  description(text: string): this {
    this.descriptionText = text;
    return this;
  }

  /** Credentials for pulling a private image. */
  registryAuth(user: string, pass: string): this {
    this.auth = { user, pass };
    return this;
  }

  /** Run only after task `taskId` ended with `status` (SUCCESS unless said otherwise). */
  dependsOn(taskId: string, status: RequiredParentStatus = "SUCCESS"): this {
    this.parents[taskId] = status;
    return this;
  }

  dependsOnMany(parents: Readonly<Record<string, RequiredParentStatus>>): this {
    Object.assign(this.parents, parents);
    return this;
  }

  /** An environment variable of the task; the key is kept as written. */
  variable(key: string, value: string): this {
    this.env[key] = value;
    return this;
  }

  variables(values: Readonly<Record<string, string>>): this {
    Object.assign(this.env, values);
    return this;
  }

  /** Replaces the image's entrypoint. */
  entrypoint(...args: string[]): this {
    this.entrypointArgs = [...args];
    return this;
  }

  /** Replaces the image's command (its arguments). */
  command(...args: string[]): this {
    this.commandArgs = [...args];
    return this;
  }

  build(): CustomTaskConfig {
    return {
      kind: "custom",
      id: this.id,
      description: this.descriptionText,
      image: this.image,
      registryAuth: this.auth ? { ...this.auth } : undefined,
      dependsOn: { ...this.parents },
      variables: { ...this.env },
      entrypoint: [...this.entrypointArgs],
      command: [...this.commandArgs],
    };
  }
}

export function customTask(id: string, image: string): CustomTask {
  return new CustomTask(id, image);
}
