// trigger(name, label): subscribe the pipeline to an installed trigger, e.g. trigger("interval", "hourly")
// .setting("every", "1h"). The label names this subscription within the pipeline.
import { settingKey, type TriggerConfig } from "./pipeline-config.js";

export class Trigger {
  private readonly values: Record<string, string> = {};

  constructor(
    readonly name: string,
    readonly label: string,
  ) {}

  /** Sent as GOFER_PLUGIN_PARAM_<KEY>, as the Go SDK does; the provided triggers read either spelling. */
  setting(key: string, value: string): this {
    this.values[settingKey(key)] = value;
    return this;
  }

  settings(values: Readonly<Record<string, string>>): this {
    for (const [key, value] of Object.entries(values)) this.setting(key, value);
    return this;
  }

  build(): TriggerConfig {
    return { name: this.name, label: this.label, settings: { ...this.values } };
  }
}

export function trigger(name: string, label: string): Trigger {
  return new Trigger(name, label);
}
