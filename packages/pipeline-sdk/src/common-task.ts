// commonTask(name, label): a task an administrator installed once for every pipeline, used here under `label`.
import { type CommonTaskConfig, type RequiredParentStatus, settingKey } from "./pipeline-config.js";

export class CommonTask {
  private descriptionText = "";
  private readonly parents: Record<string, RequiredParentStatus> = {};
  private readonly values: Record<string, string> = {};

  constructor(
    readonly name: string,
    readonly label: string,
  ) {}

  description(text: string): this {
    this.descriptionText = text;
    return this;
  }

  dependsOn(taskId: string, status: RequiredParentStatus = "SUCCESS"): this {
    this.parents[taskId] = status;
    return this;
  }

  dependsOnMany(parents: Readonly<Record<string, RequiredParentStatus>>): this {
    Object.assign(this.parents, parents);
    return this;
  }

  /** A setting for the common task; sent as GOFER_PLUGIN_PARAM_<KEY>, as the Go SDK does. */
  setting(key: string, value: string): this {
    this.values[settingKey(key)] = value;
    return this;
  }

  settings(values: Readonly<Record<string, string>>): this {
    for (const [key, value] of Object.entries(values)) this.setting(key, value);
    return this;
  }

  build(): CommonTaskConfig {
    return {
      kind: "common",
      name: this.name,
      label: this.label,
      description: this.descriptionText,
      dependsOn: { ...this.parents },
      settings: { ...this.values },
    };
  }
}

export function commonTask(name: string, label: string): CommonTask {
  return new CommonTask(name, label);
}
