// Seeds for the property-based fuzz tests: fixed by default so CI is repeatable, GOFER_FUZZ_SEED to try another, and
// the seed in the failure message so a failing run can be replayed exactly.
import fc from "fast-check";

export function fuzzSeed(): number {
  const fromEnv = process.env.GOFER_FUZZ_SEED;
  if (fromEnv === undefined || fromEnv === "") return 20_260_402;
  const seed = Number(fromEnv);
  if (!Number.isSafeInteger(seed)) throw new Error(`GOFER_FUZZ_SEED=${JSON.stringify(fromEnv)} is not an integer`);
  return seed;
}

export interface FuzzOptions {
  /** Cases to try. */
  numRuns: number;
  /** Stops early (passing) after this long, so a slow machine cannot stall CI. */
  timeLimitMs: number;
}

/** fc.assert with the seed, bounded in runs and time, and the seed (and how to replay it) in any failure. */
export async function assertProperty<Ts>(property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>, options: FuzzOptions) {
  const seed = fuzzSeed();
  try {
    await fc.assert(property, {
      seed,
      numRuns: options.numRuns,
      interruptAfterTimeLimit: options.timeLimitMs,
      markInterruptAsFailure: false,
    });
  } catch (error) {
    throw new Error(`fuzz failure with seed ${seed} (replay: GOFER_FUZZ_SEED=${seed}):\n${(error as Error).message}`, {
      cause: error,
    });
  }
}
