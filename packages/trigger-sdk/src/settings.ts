// Reading what Gofer hands a trigger. Two key-format mismatches of v0.4 (spec §7 #11) are absorbed here:
// - Subscribe settings: the v0.4 pipeline SDKs send GOFER_PLUGIN_PARAM_<KEY>, the provided triggers read <KEY>.
// - Install config: the v0.4 server exports <KEY>, the provided triggers read GOFER_PLUGIN_CONFIG_<KEY>.
// Both spellings are accepted everywhere.

import { SharedValues } from "./shared-values.js";

export const PARAM_PREFIX = "GOFER_PLUGIN_PARAM_";
export const CONFIG_PREFIX = "GOFER_PLUGIN_CONFIG_";

export class SettingError extends Error {
  override name = "SettingError";
}

const shared = new SharedValues<SubscriptionSettings>();

/** The settings of one subscription (TriggerSubscribeRequest.config). Immutable, so subscriptions may share one. */
export class SubscriptionSettings {
  private readonly values: Readonly<Record<string, string>>;

  constructor(config: Record<string, string>) {
    // Gofer sends upper-case keys; only copy when some are not, so 10,000 subscriptions hold no second copy.
    const keys = Object.keys(config);
    if (keys.every((key) => key === key.toUpperCase())) {
      this.values = config;
    } else {
      const values: Record<string, string> = {};
      for (const key of keys) values[key.toUpperCase()] = config[key] as string;
      this.values = values;
    }
  }

  /** An equal settings object that other subscriptions already hold, or this one (pipelines often share settings). */
  shared(): SubscriptionSettings {
    const entries = Object.entries(this.values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return shared.get(JSON.stringify(entries), () => this);
  }

  /** The value of key (case-insensitive) under KEY or GOFER_PLUGIN_PARAM_KEY; the bare key wins. */
  get(key: string): string | undefined {
    const upper = key.toUpperCase();
    return own(this.values, upper) ?? own(this.values, PARAM_PREFIX + upper);
  }

  require(key: string): string {
    const value = this.get(key);
    if (value === undefined || value.trim() === "") {
      throw new SettingError(
        `missing required setting "${key.toUpperCase()}" (also read as "${PARAM_PREFIX}${key.toUpperCase()}")`,
      );
    }
    return value;
  }

  toJSON(): Record<string, string> {
    return { ...this.values };
  }
}

function own(values: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}

/** Install-time config: GOFER_PLUGIN_CONFIG_<KEY>, falling back to the bare <KEY>. */
export function getConfig(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const upper = key.toUpperCase();
  const value = env[CONFIG_PREFIX + upper] ?? env[upper];
  return value === "" ? undefined : value;
}

/** GOFER_PLUGIN_PARAM_<KEY> from the environment (the Go SDK's GetParameter). */
export function getParameter(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[PARAM_PREFIX + key.toUpperCase()];
}
