// JSON columns are written by this package only, so reading trusts their shape; a parse failure means the file
// was edited or corrupted and names the column so it can be found.

export function toJsonColumn(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJsonColumn<T>(text: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`stored ${column} is not valid JSON: ${text.slice(0, 100)}`, { cause: error });
  }
}

export function fromNullableJsonColumn<T>(text: string | null, column: string): T | null {
  return text === null ? null : fromJsonColumn<T>(text, column);
}
