// What the suite expects of one kind of trigger: the v0.4 contract as the original Go triggers meet it (spec §3, §4),
// and what our triggers add beyond it (the extended profile).
//
// Core settings are ones a v0.4.1 original accepts: `EVERY=1s` for interval, and for cron the 6-field v0.4 grammar
// (minute hour day-of-month month day-of-week year), every minute. An original cron checks once a minute, unaligned,
// so its events can only be awaited in minutes: without --slow the core event cases are skipped for cron, and the
// extended profile checks delivery with a 7-field every-second expression when the trigger offers one.
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

/** Settings that make a trigger fire, and how often. */
export interface FiringSettings {
  readonly config: Readonly<Record<string, string>>;
  /** Expected time between two events of one subscription; undefined: the timing cases are skipped. */
  readonly periodMs: number | undefined;
  /** How long to wait for the first event after subscribing. */
  readonly firstEventTimeoutMs: number;
  /** How many periods the lost-event case leaves no Watch outstanding (events fall due meanwhile). */
  readonly idlePeriods: number;
}

/** The extended profile's expectations; each is undefined where it does not apply to the trigger. */
export interface TriggerExtensions {
  /** The firing settings under the pipeline SDKs' GOFER_PLUGIN_PARAM_ keys (spec §2.5, §7 #11). */
  readonly prefixed: ((fast: FiringSettings | undefined) => FiringSettings) | undefined;
  /** cron: a 7-field (seconds first, with a year) expression that fires every second. */
  readonly sevenField: FiringSettings | undefined;
  /** cron: TIMEZONE (IANA); needs sevenField to be checked within seconds. */
  readonly timezone: boolean;
  /** How exact firing shows: cron events carry their scheduled time; interval events fall at start + n × EVERY. */
  readonly exactFiring: "scheduled-time" | "phase" | undefined;
}

/** A trigger that fires on webhooks (github): how to make one that it must accept, and what it must then emit. */
export interface WebhookExpectations {
  /** The install config secret the suite starts the trigger with. */
  readonly secret: string;
  /** The GitHub event and repository the subscription's settings name. */
  readonly event: string;
  readonly repository: string;
  /** The Watch event's details for such a delivery. */
  readonly details: string;
  /** Metadata the event must carry (a subset). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface TriggerProfile {
  /** For webhook-driven triggers: the external.* cases; undefined for triggers that fire on time. */
  readonly webhook?: WebhookExpectations;
  /** Install-time config for server mode. */
  readonly installEnv: Readonly<Record<string, string>>;
  /** Queries the installer must ask, by config_key; undefined: not checked. */
  readonly installerQueries: InstallerQueries | undefined;
  /** v0.4 settings that make the trigger fire; undefined: the event cases are skipped. */
  readonly settings: FiringSettings | undefined;
  /** Why events of the core settings are not awaited (cron without --slow); undefined: they are. */
  readonly coreEventsSkipReason: string | undefined;
  readonly invalidSettings: readonly InvalidSettings[];
  readonly extensions: TriggerExtensions;
}

const MIN_DURATION = "1s";
// Seconds-first with a year: sec min hour day-of-month month day-of-week year. Our cron fires every second with it.
export const EVERY_SECOND = "* * * * * * *";
// The v0.4 grammar (min hour day-of-month month day-of-week year) that a Go original understands: every minute.
export const EVERY_MINUTE = "* * * * * *";
// One event falls due while no Watch is outstanding; a lost one is as visible as with more, and the run is shorter.
const IDLE_PERIODS = 1.5;

function withPrefix(config: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [`GOFER_PLUGIN_PARAM_${key}`, value]));
}

export function triggerProfile(options: CompiledOptions): TriggerProfile {
  switch (options.trigger) {
    case "interval": {
      const settings: FiringSettings = {
        config: { EVERY: "1s" },
        periodMs: 1_000,
        firstEventTimeoutMs: 5_000,
        idlePeriods: IDLE_PERIODS,
      };
      return {
        // The Go trigger reads GOFER_PLUGIN_CONFIG_MIN_DURATION while v0.4 Gofer passes MIN_DURATION (spec §2.2):
        // set both so that either reading works.
        installEnv: { GOFER_PLUGIN_CONFIG_MIN_DURATION: MIN_DURATION, MIN_DURATION },
        installerQueries: { required: ["min_duration"], exclusive: false },
        settings,
        coreEventsSkipReason: undefined,
        invalidSettings: [
          { id: "missing-every", description: "without EVERY", config: {} },
          { id: "every-banana", description: "with EVERY=banana", config: { EVERY: "banana" } },
          {
            id: "every-below-min",
            description: `with EVERY=10ms (below min_duration ${MIN_DURATION})`,
            config: { EVERY: "10ms" },
          },
        ],
        extensions: {
          prefixed: () => ({ ...settings, config: withPrefix(settings.config) }),
          sevenField: undefined,
          timezone: false,
          exactFiring: "phase",
        },
      };
    }
    case "cron": {
      const sevenField: FiringSettings = {
        config: { EXPRESSION: EVERY_SECOND },
        periodMs: 1_000,
        firstEventTimeoutMs: 5_000,
        idlePeriods: IDLE_PERIODS,
      };
      return {
        installEnv: {},
        installerQueries: { required: [], exclusive: true },
        settings: {
          config: { EXPRESSION: EVERY_MINUTE },
          periodMs: 60_000,
          // A Go original checks once a minute, not aligned to the minute: the first event may take two checks.
          firstEventTimeoutMs: 130_000,
          idlePeriods: IDLE_PERIODS,
        },
        coreEventsSkipReason: options.slow
          ? undefined
          : `the v0.4 grammar fires at most once a minute (${EVERY_MINUTE}): pass --slow to wait for events (minutes), ` +
            "or --profile extended to check delivery with a 7-field expression if the trigger offers one",
        invalidSettings: [
          {
            id: "expression-minute-60",
            description: 'with EXPRESSION="60 * * * * *" (minute 60 is out of range)',
            config: { EXPRESSION: "60 * * * * *" },
          },
        ],
        extensions: {
          // With the 7-field expression when the trigger offers it, so that events can be awaited; else the v0.4 one.
          prefixed: (fast) =>
            fast
              ? { ...fast, config: withPrefix(fast.config) }
              : {
                  config: withPrefix({ EXPRESSION: EVERY_MINUTE }),
                  periodMs: undefined,
                  firstEventTimeoutMs: 0,
                  idlePeriods: IDLE_PERIODS,
                },
          sevenField,
          timezone: true,
          exactFiring: "scheduled-time",
        },
      };
    }
    case "github": {
      const secret = "conformance-webhook-secret";
      const repository = "conformance/repo";
      const settings: FiringSettings = {
        config: { EVENTS: "push", REPOSITORY: repository },
        periodMs: undefined,
        firstEventTimeoutMs: 5_000,
        idlePeriods: IDLE_PERIODS,
      };
      return {
        // Our install config, the bare key Gofer passes, and the original's env name (spec §4).
        installEnv: {
          GOFER_PLUGIN_CONFIG_WEBHOOK_SECRET: secret,
          WEBHOOK_SECRET: secret,
          GOFER_TRIGGER_GITHUB_APPS_WEBHOOK_SECRET: secret,
        },
        installerQueries: { required: ["webhook_secret"], exclusive: false },
        settings,
        coreEventsSkipReason: "github fires on webhooks, not on time: external.event checks its delivery",
        invalidSettings: [
          { id: "missing-events", description: "without EVENTS", config: { REPOSITORY: repository } },
          { id: "missing-repository", description: "without REPOSITORY", config: { EVENTS: "push" } },
        ],
        extensions: {
          prefixed: () => ({ ...settings, config: withPrefix(settings.config) }),
          sevenField: undefined,
          timezone: false,
          exactFiring: undefined,
        },
        webhook: {
          secret,
          event: "push",
          repository,
          details: `New "push" event from "${repository}"`,
          metadata: { GOFER_TRIGGER_GITHUB_REF: "refs/heads/main", GOFER_TRIGGER_GITHUB_REPOSITORY: repository },
        },
      };
    }
    case "generic": {
      const settings: FiringSettings | undefined = options.settings && {
        config: options.settings,
        periodMs: options.periodMs,
        firstEventTimeoutMs: options.periodMs === undefined ? 60_000 : 2 * options.periodMs + 5_000,
        idlePeriods: IDLE_PERIODS,
      };
      return {
        installEnv: {},
        installerQueries: undefined,
        settings,
        coreEventsSkipReason: undefined,
        invalidSettings: [],
        extensions: {
          prefixed: settings ? () => ({ ...settings, config: withPrefix(settings.config) }) : undefined,
          sevenField: undefined,
          timezone: false,
          exactFiring: settings?.periodMs === undefined ? undefined : "phase",
        },
      };
    }
    default:
      return options.trigger satisfies never;
  }
}
