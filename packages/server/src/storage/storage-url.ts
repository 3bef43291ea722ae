// A Postgres connection URL carries the password, so anything that shows one (logs, config errors) shows this instead.

/** The URL with its password replaced by "redacted"; undefined when `url` does not parse as a URL. */
export function redactStorageUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.password !== "") parsed.password = "redacted";
  return parsed.toString();
}
