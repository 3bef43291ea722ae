// What the server and the task launcher (a long-lived /bin/sh, see task-launcher.ts) say to each other.
//
// Server → launcher (its stdin): shell text that the launcher shell runs as it arrives. Every value the server sends
// (argv, env values, file names) is single-quoted, which passes any byte but NUL through unchanged (quotes, newlines,
// `$`, backslashes): the text is data to the shell, never code. Env names cannot be quoted: launchable() admits only
// plain shell names. One task start is one line-terminated command:
//
//   ( unset PWD; export K='v'; …'<setsid>' 'argv0' 'arg1' … </dev/null >'<dir>/<n>' 2>&1 & gofer_wait <n> '<dir>/<n>' ) &
//
// The subshell (the task's waiter) sets exactly the task's environment, starts the task as the leader of a new
// session and process group (setsid, so a stop reaches its children), and reports back.
//
// Launcher → server (its stdout), one short line each, written whole (under PIPE_BUF, so lines from concurrent
// waiters never interleave):
//   S <n> <pid>                      task n started as pid (also its process group id)
//   X <n> <status> <hasOutput 0|1>  task n's group is gone: status is the exit code, or 128 + signal number
import { constants } from "node:os";

/** Names the waiter can export safely: valid shell names that the shell itself does not interpret. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHELL_SPECIAL = new Set([
  "IFS",
  "OPTIND",
  "OPTARG",
  "LINENO",
  "PPID",
  "PS1",
  "PS2",
  "PS4",
  "MAIL",
  "MAILPATH",
  "ENV",
]);

/** Single-quotes a value for the shell: 'it'\''s' is it's. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Whether the launcher can start a process with this argv and env exactly: every env name must be one the shell
 * exports as is, and no value may hold a NUL (no process can receive one).
 */
export function launchable(argv: readonly string[], env: Readonly<Record<string, string>>): boolean {
  for (const [name, value] of Object.entries(env)) {
    if (!SHELL_NAME.test(name) || SHELL_SPECIAL.has(name)) return false;
    if (value.includes("\0")) return false;
  }
  return argv.length > 0 && argv.every((arg) => !arg.includes("\0"));
}

export interface LauncherTools {
  /** Absolute path of setsid(1). */
  setsid: string;
  /** Absolute path of sleep(1), which must accept fractions of a second. */
  sleep: string;
}

/**
 * The functions the launcher shell defines once. gofer_wait runs in the waiter after the task has started (so the
 * variables it sets never reach the task's environment): it reports the pid, waits for the task, then for the rest of
 * its process group (children left behind still write output), and reports the status.
 */
export function launcherPrelude(tools: LauncherTools): string {
  const sleep = shellQuote(tools.sleep);
  return [
    "gofer_linger() {",
    "  for d in 0.01 0.05 0.1 0.2 0.5; do",
    '    kill -s 0 -- "-$1" 2>/dev/null || return 0',
    `    ${sleep} "$d"`,
    "  done",
    `  while kill -s 0 -- "-$1" 2>/dev/null; do ${sleep} 1; done`,
    "}",
    "gofer_wait() {",
    "  p=$!",
    '  echo "S $1 $p"',
    '  wait "$p" 2>/dev/null', // no "Terminated" notice for a stopped task
    "  s=$?",
    '  gofer_linger "$p"',
    '  if [ -s "$2" ]; then o=1; else o=0; fi',
    '  echo "X $1 $s $o"',
    "}",
    "",
  ].join("\n");
}

/** The command that starts task n with exactly `env`, its output (stdout and stderr, in order) going to `outputFile`. */
export function launchCommand(
  tools: LauncherTools,
  n: number,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  outputFile: string,
): string {
  const exports = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}; `);
  const command = [tools.setsid, ...argv].map(shellQuote).join(" ");
  const file = shellQuote(outputFile);
  return `( unset PWD; ${exports.join("")}${command} </dev/null >${file} 2>&1 & gofer_wait ${n} ${file} ) &\n`;
}

/**
 * Lets the launcher shell forget finished waiters: a non-interactive shell keeps every background job in its table
 * until asked, and `jobs` collects the finished ones.
 */
export const FORGET_FINISHED_JOBS = "jobs >/dev/null\n";

export type LauncherMessage =
  | { kind: "started"; n: number; pid: number }
  | { kind: "exited"; n: number; status: number; hasOutput: boolean };

/** Parses one line the launcher wrote; undefined for anything else (the shell's own complaints). */
export function parseLauncherMessage(line: string): LauncherMessage | undefined {
  const started = /^S (\d+) (\d+)$/.exec(line);
  if (started) return { kind: "started", n: Number(started[1]), pid: Number(started[2]) };
  const exited = /^X (\d+) (\d+) ([01])$/.exec(line);
  if (exited) return { kind: "exited", n: Number(exited[1]), status: Number(exited[2]), hasOutput: exited[3] === "1" };
  return undefined;
}

/** The exit status as the engine reports it: a process killed by a signal exits with 128 + the signal's number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code;
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return null;
}
