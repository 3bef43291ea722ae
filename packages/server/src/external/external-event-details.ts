// The EXTERNAL_EVENT entry of the event log: which trigger a webhook went to, its request line and headers (in their
// order and case, repeats kept), and the body's size. The body is not stored. Header values that carry credentials
// (Authorization, cookies, GitLab's X-Gitlab-Token, anything named like a token, secret or key) are replaced by
// "[redacted]": any token holder can list events, and a webhook secret must not leak through the log. Signature
// headers (X-Hub-Signature-256) are kept: they are not secrets, and they are what one checks when a delivery fails.

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|password|api-?key/i;

export interface ExternalEventFacts {
  /** The trigger (or extension) it was sent to. */
  name: string;
  method: string | undefined;
  url: string;
  rawHeaders: readonly string[];
  bodyBytes: number;
}

export function externalEventDetails(facts: ExternalEventFacts): Record<string, unknown> {
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < facts.rawHeaders.length; i += 2) {
    const header = facts.rawHeaders[i] ?? "";
    headers.push([header, CREDENTIAL_HEADER.test(header) ? "[redacted]" : (facts.rawHeaders[i + 1] ?? "")]);
  }
  return {
    name: facts.name,
    method: facts.method ?? "",
    path: facts.url,
    headers,
    body_bytes: facts.bodyBytes,
  };
}
