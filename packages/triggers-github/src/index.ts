// The public API of @gofer/triggers-github.
export { type GithubConfig, GithubConfigError, readGithubConfig } from "./github-config.js";
export {
  eventFacts,
  goTimeString,
  isSupportedEvent,
  SUPPORTED_EVENTS,
  type SupportedEvent,
} from "./github-metadata.js";
export {
  createGithubTrigger,
  GITHUB_DOCUMENTATION,
  type GithubStats,
  githubInstructions,
} from "./github-trigger.js";
