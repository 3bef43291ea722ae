// "did you mean …?" for misspelt keys in config files and pipeline files.

/** The candidate nearest to word (camelCase read as snake_case first), if it is at most 2 edits away. */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const snake = word.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  if (snake !== word && candidates.includes(snake)) return snake;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(snake, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= 2 ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
