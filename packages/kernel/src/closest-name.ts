// "did you mean …?" for a mistyped name: config keys and flags (server), pipeline file fields and event kinds (CLI).

/**
 * The candidate a mistyped name most likely meant, as the candidate spells it, or undefined when nothing is
 * plausible. Case does not count, and a camelCase name is read as snake_case (`dependsOn` → "depends_on"). In order
 * of trust: that snake_case spelling exactly; one or two edits away; the same last dotted segment in another block
 * (`server.stop_timeout` → "triggers.stop_timeout"); up to about one edit per three characters away.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (bestDistance <= 2) return best;
  const leaf = lastSegment(wanted);
  const sameLeaf = candidates.find((candidate) => lastSegment(candidate.toLowerCase()) === leaf);
  if (sameLeaf !== undefined) return sameLeaf;
  return bestDistance <= Math.max(1, Math.floor(wanted.length / 3)) ? best : undefined;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

/** Levenshtein distance with one rolling row. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
