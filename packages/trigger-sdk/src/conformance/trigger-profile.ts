// What the suite expects of one kind of trigger (spec §4): install config, installer queries, settings that make it
// fire (and how often), and settings it must refuse.
import type { CompiledOptions } from "./options.js";

export interface InvalidSettings {
  /** Case id suffix, e.g. "every-banana". */
  readonly id: string;
  readonly description: string;
  readonly config: Readonly<Record<string, string>>;
}

export interface InstallerQueries {
  readonly required: readonly string[];
  /** When true, no query beyond the required ones is allowed. */
  readonly exclusive: boolean;
}

export interface TriggerProfile {
  /** Install-time config for server mode. */
  readonly installEnv: Readonly<Record<string, string>>;
  /** Queries the installer must ask, by config_key; undefined: not checked. */
  readonly installerQueries: InstallerQueries | undefined;
  /** Settings that make the trigger fire; undefined: the event cases are skipped. */
  readonly settings: Readonly<Record<string, string>> | undefined;
  /** The same settings under the pipeline SDKs' GOFER_PLUGIN_PARAM_ keys (spec §2.5); undefined: not tried. */
  readonly prefixedSettings: Readonly<Record<string, string>> | undefined;
  readonly invalidSettings: readonly InvalidSettings[];
  /** Expected time between two events of one subscription; undefined: the timing cases are skipped. */
  readonly periodMs: number | undefined;
  /** How long to wait for the first event after subscribing. */
  readonly firstEventTimeoutMs: number;
  /** How many periods the lost-event case leaves no Watch outstanding (events fall due meanwhile). */
  readonly idlePeriods: number;
}

const MIN_DURATION = "1s";
// Seconds-first with a year: sec min hour day-of-month month day-of-week year. Our cron fires every second with it.
const EVERY_SECOND = "* * * * * * *";
// The v0.4 grammar (min hour day-of-month month day-of-week year) that a Go original understands: every minute.
const EVERY_MINUTE = "* * * * * *";

export function triggerProfile(options: CompiledOptions): TriggerProfile {
  switch (options.trigger) {
    case "interval":
      return {
        // The Go trigger reads GOFER_PLUGIN_CONFIG_MIN_DURATION while v0.4 Gofer passes MIN_DURATION (spec §2.2):
        // set both so that either reading works.
        installEnv: { GOFER_PLUGIN_CONFIG_MIN_DURATION: MIN_DURATION, MIN_DURATION },
        installerQueries: { required: ["min_duration"], exclusive: false },
        settings: { EVERY: "1s" },
        prefixedSettings: { GOFER_PLUGIN_PARAM_EVERY: "1s" },
        invalidSettings: [
          { id: "missing-every", description: "without EVERY", config: {} },
          { id: "every-banana", description: "with EVERY=banana", config: { EVERY: "banana" } },
          {
            id: "every-below-min",
            description: `with EVERY=10ms (below min_duration ${MIN_DURATION})`,
            config: { EVERY: "10ms" },
          },
        ],
        periodMs: 1_000,
        firstEventTimeoutMs: 5_000,
        idlePeriods: 2.5,
      };
    case "cron": {
      const expression = options.slow ? EVERY_MINUTE : EVERY_SECOND;
      const periodMs = options.slow ? 60_000 : 1_000;
      return {
        installEnv: {},
        installerQueries: { required: [], exclusive: true },
        settings: { EXPRESSION: expression },
        prefixedSettings: { GOFER_PLUGIN_PARAM_EXPRESSION: expression },
        invalidSettings: [
          {
            id: "expression-minute-60",
            description: 'with EXPRESSION="60 * * * * *" (minute 60 is out of range)',
            config: { EXPRESSION: "60 * * * * *" },
          },
        ],
        periodMs,
        // A Go original checks once a minute, not aligned to the minute: the first event may take two checks.
        firstEventTimeoutMs: options.slow ? 130_000 : 5_000,
        // Fewer idle periods in slow mode keep the run to minutes; one event still falls due with no Watch out.
        idlePeriods: options.slow ? 1.5 : 2.5,
      };
    }
    case "generic":
      return {
        installEnv: {},
        installerQueries: undefined,
        settings: options.settings,
        prefixedSettings: undefined,
        invalidSettings: [],
        periodMs: options.periodMs,
        firstEventTimeoutMs: options.periodMs === undefined ? 60_000 : 2 * options.periodMs + 5_000,
        idlePeriods: 2.5,
      };
    default:
      return options.trigger satisfies never;
  }
}
