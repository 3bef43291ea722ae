// int64 fields are bigint in the generated types; JSON output carries them as numbers (ids, epoch-ms times, counts
// all stay far below 2^53).

export function int64(value: bigint): number {
  return Number(value);
}
