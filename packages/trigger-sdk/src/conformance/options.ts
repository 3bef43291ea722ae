// What to check and how: the options of runConformance, their compiled (defaulted, validated) form, and the CLI
// parser that produces them.
import { parseArgs } from "node:util";
import { parseGoDurationMs } from "@gofer/kernel";
import { type Clock, systemClock } from "@gofer/kernel/clock";
import type { CaseResult } from "./report.js";

/** Which trigger-specific expectations apply. `generic` checks only what every v0.4 trigger must do. */
export type TriggerKind = "interval" | "cron" | "github" | "generic";

export const TRIGGER_KINDS: readonly TriggerKind[] = ["interval", "cron", "github", "generic"];

/**
 * core: the v0.4 contract, as the original Go triggers meet it; every case must pass (or warn, for a tolerated quirk
 * of the originals). extended: core, plus what goes beyond v0.4 (GOFER_PLUGIN_PARAM_ keys, 7-field cron, TIMEZONE,
 * exact firing); a trigger that does not offer one of those gets a warning, and fails only if it offers it (accepts
 * the setting, carries the metadata) and gets it wrong.
 */
export type ConformanceProfile = "core" | "extended";

export const PROFILES: readonly ConformanceProfile[] = ["core", "extended"];

/**
 * How to run the trigger. A command gets the mode (`server`, `installer`) appended as its single last argument, after
 * `args`; an image runs through the docker CLI (`docker run --rm ...`).
 */
export type TriggerTarget =
  | { readonly kind: "command"; readonly command: string; readonly args?: readonly string[]; readonly cwd?: string }
  | { readonly kind: "image"; readonly image: string; readonly dockerCommand?: string };

export interface ConformanceOptions {
  readonly trigger: TriggerKind;
  readonly target: TriggerTarget;
  /** Default "core". */
  readonly profile?: ConformanceProfile;
  /**
   * cron only: wait for events of the 6-field every-minute expression (the v0.4 grammar, which a Go original
   * understands) in the core cases, which takes minutes; without it those cases are skipped for cron.
   */
  readonly slow?: boolean;
  /** Subscription settings for `generic`; without them a generic run skips the event cases. */
  readonly settings?: Readonly<Record<string, string>>;
  /** `generic` only: the expected time between two events of one subscription; enables the timing cases. */
  readonly periodMs?: number;
  /** Extra environment for server mode (install-time config), added after the suite's own variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** GOFER_PLUGIN_SYSTEM_NAME; Info must echo it. Default "conformance". */
  readonly name?: string;
  /** How long the process may take to exit after Shutdown. Default 15 s. */
  readonly shutdownTimeoutMs?: number;
  /** How long installer and usage runs may take. Default 20 s for a command, 120 s for an image (it may be pulled). */
  readonly oneShotTimeoutMs?: number;
  readonly clock?: Clock;
  /** Aborting ends the run: processes are stopped and runConformance rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called as each case finishes, e.g. to print progress. */
  readonly onCaseResult?: (result: CaseResult) => void;
}

export interface CompiledOptions {
  readonly trigger: TriggerKind;
  readonly target: TriggerTarget;
  readonly profile: ConformanceProfile;
  readonly slow: boolean;
  readonly settings: Readonly<Record<string, string>> | undefined;
  readonly periodMs: number | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly name: string;
  readonly shutdownTimeoutMs: number;
  readonly oneShotTimeoutMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly onCaseResult: ((result: CaseResult) => void) | undefined;
}

export class OptionsError extends Error {
  override name = "OptionsError";
}

export function compileOptions(options: ConformanceOptions): CompiledOptions {
  if (!TRIGGER_KINDS.includes(options.trigger)) {
    throw new OptionsError(`trigger "${options.trigger}": must be one of ${TRIGGER_KINDS.join(", ")}`);
  }
  if (options.profile !== undefined && !PROFILES.includes(options.profile)) {
    throw new OptionsError(`profile "${options.profile}": must be one of ${PROFILES.join(", ")}`);
  }
  if (options.target.kind === "command" && options.target.command === "") {
    throw new OptionsError("command: must not be empty");
  }
  if (options.target.kind === "image" && options.target.image === "") {
    throw new OptionsError("image: must not be empty");
  }
  if (options.slow && options.trigger !== "cron") {
    throw new OptionsError(`slow: only applies to --trigger cron, not "${options.trigger}"`);
  }
  if (options.trigger !== "generic" && (options.settings !== undefined || options.periodMs !== undefined)) {
    throw new OptionsError(`settings and period: only apply to --trigger generic, not "${options.trigger}"`);
  }
  if (options.periodMs !== undefined && !(options.periodMs > 0)) {
    throw new OptionsError(`period ${options.periodMs} ms: must be positive`);
  }
  if (options.periodMs !== undefined && options.settings === undefined) {
    throw new OptionsError("period: needs settings to subscribe with");
  }
  return Object.freeze({
    trigger: options.trigger,
    target: Object.freeze({ ...options.target }),
    profile: options.profile ?? "core",
    slow: options.slow ?? false,
    settings: options.settings === undefined ? undefined : Object.freeze({ ...options.settings }),
    periodMs: options.periodMs,
    env: Object.freeze({ ...options.env }),
    name: options.name ?? "conformance",
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 15_000,
    oneShotTimeoutMs: options.oneShotTimeoutMs ?? (options.target.kind === "image" ? 120_000 : 20_000),
    clock: options.clock ?? systemClock,
    signal: options.signal ?? new AbortController().signal,
    onCaseResult: options.onCaseResult,
  });
}

export const USAGE = `Usage: conformance --trigger interval|cron|github|generic (--command <executable> [-- <args>...] | --image <ref>)
                   [--profile core|extended] [--slow] [--json] [--setting KEY=VALUE]... [--period <duration>]
                   [--env KEY=VALUE]... [--name <name>] [--docker <docker-cli>]

Checks a trigger binary or image against the Gofer v0.4 trigger container contract.
  --trigger     which trigger-specific expectations apply (generic: only the common contract)
  --command     run this executable; "server" or "installer" is appended after any arguments given after --
  --image       run this image with the docker CLI (server mode on --network host, bound to 127.0.0.1)
  --profile     core (default): the v0.4 contract, which the original Go triggers pass; extended: also what goes
                beyond it (GOFER_PLUGIN_PARAM_ keys, 7-field cron, TIMEZONE, exact firing), reported as warnings
                where the trigger does not offer it
  --slow        cron only: wait for events of the v0.4 every-minute expression (for a Go original); takes minutes
  --json        print a machine-readable report instead of the human-readable one
  --setting     generic only: a subscription setting; repeat for more
  --period      generic only: the expected time between events for those settings (Go duration, e.g. 1s)
  --env         extra environment for server mode (install config); repeat for more
  --name        GOFER_PLUGIN_SYSTEM_NAME (default "conformance")
  --docker      the docker CLI to use (default "docker")
Exit code 0 only if no case fails (warnings do not fail the run); 2 for bad arguments.`;

export interface CliOptions {
  readonly help: boolean;
  readonly json: boolean;
  readonly conformance: ConformanceOptions | undefined;
}

/** Parses CLI arguments (without the node and script paths). Throws OptionsError naming the bad argument. */
export function parseConformanceArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    throw new OptionsError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true, json: values.json ?? false, conformance: undefined };

  const trigger = values.trigger;
  if (trigger === undefined) throw new OptionsError("--trigger: required (interval, cron, github or generic)");
  if (!(TRIGGER_KINDS as readonly string[]).includes(trigger)) {
    throw new OptionsError(`--trigger "${trigger}": must be one of ${TRIGGER_KINDS.join(", ")}`);
  }
  if ((values.command === undefined) === (values.image === undefined)) {
    throw new OptionsError("exactly one of --command and --image is required");
  }
  if (values.image !== undefined && positionals.length > 0) {
    throw new OptionsError(`--image: takes no extra arguments, got "${positionals.join(" ")}"`);
  }
  if (values.docker !== undefined && values.image === undefined) {
    throw new OptionsError("--docker: only applies with --image");
  }
  const target: TriggerTarget =
    values.image !== undefined
      ? { kind: "image", image: values.image, ...(values.docker !== undefined && { dockerCommand: values.docker }) }
      : { kind: "command", command: values.command ?? "", args: positionals };

  let periodMs: number | undefined;
  if (values.period !== undefined) {
    try {
      periodMs = parseGoDurationMs(values.period);
    } catch (error) {
      throw new OptionsError(`--period "${values.period}": not a duration like 1s or 1m30s`, { cause: error });
    }
  }
  if (values.profile !== undefined && !(PROFILES as readonly string[]).includes(values.profile)) {
    throw new OptionsError(`--profile "${values.profile}": must be one of ${PROFILES.join(", ")}`);
  }
  const conformance: ConformanceOptions = {
    trigger: trigger as TriggerKind,
    target,
    ...(values.profile !== undefined && { profile: values.profile as ConformanceProfile }),
    slow: values.slow ?? false,
    ...(values.setting !== undefined && { settings: parseKeyValues("--setting", values.setting) }),
    ...(periodMs !== undefined && { periodMs }),
    ...(values.env !== undefined && { env: parseKeyValues("--env", values.env) }),
    ...(values.name !== undefined && { name: values.name }),
  };
  compileOptions(conformance); // reject inconsistent combinations here, while we can still print usage
  return { help: false, json: values.json ?? false, conformance };
}

function parseCli(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      trigger: { type: "string" },
      command: { type: "string" },
      image: { type: "string" },
      docker: { type: "string" },
      profile: { type: "string" },
      slow: { type: "boolean" },
      json: { type: "boolean" },
      setting: { type: "string", multiple: true },
      period: { type: "string" },
      env: { type: "string", multiple: true },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function parseKeyValues(flag: string, pairs: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new OptionsError(`${flag} "${pair}": expected KEY=VALUE`);
    result[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return result;
}
