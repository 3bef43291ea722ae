// CLI: `pnpm --filter ./packages/trigger-sdk conformance --trigger interval --command ./trigger`. The only module of
// the suite that touches process signals, stdout and the exit code.
import { OptionsError, parseConformanceArgs, USAGE } from "./options.js";
import { formatCaseResult, formatReport } from "./report.js";
import { runConformance } from "./run-conformance.js";

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

async function main(argv: readonly string[]): Promise<number> {
  let cli: ReturnType<typeof parseConformanceArgs>;
  try {
    cli = parseConformanceArgs(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`conformance: ${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (cli.help || !cli.conformance) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // A first Ctrl-C stops the run (processes are cleaned up); the report is not printed.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(new Error(`interrupted by ${signal}`));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const report = await runConformance({
      ...cli.conformance,
      signal: interrupt.signal,
      // Progress goes to stderr so that stdout holds only the report.
      onCaseResult: (result) => process.stderr.write(`${formatCaseResult(result)}\n`),
    });
    process.stdout.write(cli.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return report.passed ? 0 : EXIT_FAILED;
  } catch (error) {
    if (interrupt.signal.aborted) {
      process.stderr.write(
        `conformance: ${interrupt.signal.reason instanceof Error ? interrupt.signal.reason.message : "interrupted"}\n`,
      );
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

// Exit explicitly once the output is flushed: a trigger's lingering connection must not keep the CLI alive.
function exit(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  process.stderr.write(`conformance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  exit(EXIT_FAILED);
});
