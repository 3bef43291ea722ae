// What a delivery of each supported GitHub event becomes: the repository it came from and the run's metadata, under
// the v0.4.1 names (spec §4; the original's spelling "COMMITER" kept). A field GitHub leaves out or null (a push that
// deletes a branch has no head commit; a draft release has no published_at) becomes "" rather than a crash.

export const SUPPORTED_EVENTS = ["create", "push", "release", "check_suite"] as const;
export type SupportedEvent = (typeof SUPPORTED_EVENTS)[number];

export function isSupportedEvent(name: string): name is SupportedEvent {
  return (SUPPORTED_EVENTS as readonly string[]).includes(name);
}

const PREFIX = "GOFER_TRIGGER_GITHUB_";

/** A dotted path into the parsed JSON, as a string ("" when absent or null). */
function text(payload: unknown, path: string): string {
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return "";
    value = (value as Record<string, unknown>)[part];
  }
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Go's time.Time String() of a GitHub timestamp, as the original's metadata carried it: "2019-05-15 15:20:53 +0000
 * UTC" for "2019-05-15T15:20:53Z". A value that is not an RFC 3339 UTC time is passed on as GitHub sent it.
 */
export function goTimeString(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(value);
  if (!match) return value;
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  return `${match[1]} ${match[2]}${fraction === "." ? "" : fraction} +0000 UTC`;
}

export interface EventFacts {
  /** owner/name of the repository the delivery is about. */
  repository: string;
  metadata: Record<string, string>;
}

export function eventFacts(event: SupportedEvent, payload: unknown): EventFacts {
  const repository = text(payload, "repository.full_name");
  const m = (entries: Record<string, string>) =>
    Object.fromEntries(Object.entries(entries).map(([key, value]) => [PREFIX + key, value]));
  switch (event) {
    case "create":
      return {
        repository,
        metadata: m({ REF: text(payload, "ref"), REF_TYPE: text(payload, "ref_type"), REPOSITORY: repository }),
      };
    case "push":
      return {
        repository,
        metadata: m({
          REF: text(payload, "ref"),
          REPOSITORY: repository,
          HEAD_COMMIT_ID: text(payload, "head_commit.id"),
          HEAD_COMMIT_AUTHOR_NAME: text(payload, "head_commit.author.name"),
          HEAD_COMMIT_AUTHOR_EMAIL: text(payload, "head_commit.author.email"),
          HEAD_COMMIT_AUTHOR_USERNAME: text(payload, "head_commit.author.username"),
          HEAD_COMMIT_COMMITER_NAME: text(payload, "head_commit.committer.name"),
          HEAD_COMMIT_COMMITER_EMAIL: text(payload, "head_commit.committer.email"),
          HEAD_COMMIT_COMMITER_USERNAME: text(payload, "head_commit.committer.username"),
        }),
      };
    case "release":
      return {
        repository,
        metadata: m({
          ACTION: text(payload, "action"),
          REPOSITORY: repository,
          RELEASE_TAG_NAME: text(payload, "release.tag_name"),
          RELEASE_TARGET_COMMITISH: text(payload, "release.target_commitish"),
          RELEASE_AUTHOR_LOGIN: text(payload, "release.author.login"),
          RELEASE_CREATED_AT: goTimeString(text(payload, "release.created_at")),
          RELEASE_PUBLISHED_AT: goTimeString(text(payload, "release.published_at")),
        }),
      };
    case "check_suite":
      return {
        repository,
        metadata: m({
          ACTION: text(payload, "action"),
          REPOSITORY: repository,
          CHECK_SUITE_ID: text(payload, "check_suite.id"),
          CHECK_SUITE_HEAD_SHA: text(payload, "check_suite.head_sha"),
          CHECK_SUITE_HEAD_BRANCH: text(payload, "check_suite.head_branch"),
        }),
      };
    default:
      return event satisfies never;
  }
}
