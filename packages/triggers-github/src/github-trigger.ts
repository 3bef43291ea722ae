// The github trigger (spec §4): pipelines subscribe with EVENTS (a comma list of create, push, release, check_suite)
// and REPOSITORY (owner/name); GitHub's webhook deliveries reach it through Gofer's external events endpoint
// (POST /external/github). A delivery whose X-Hub-Signature-256 does not match WEBHOOK_SECRET is refused and starts
// nothing; a ping, or an event no pipeline asked for, is answered and ignored; a supported event fires every
// subscription naming it and its repository, with details `New "<event>" event from "<owner/name>"` and the
// GOFER_TRIGGER_GITHUB_* metadata (github-metadata.ts).
//
// Differences from the original (whose v0.4.1 source did not build): settings are also read under
// GOFER_PLUGIN_PARAM_ keys; an unsupported event or a malformed REPOSITORY is refused at Subscribe instead of never
// firing; repositories match case-insensitively, as GitHub's names do; a repeated Subscribe replaces the old one.
import {
  type ExternalEvent,
  type Instructions,
  instructions,
  type Subscription,
  type TriggerContext,
  type TriggerDefinition,
  verifyHmacSha256,
} from "@gofer/trigger-sdk";
import { readGithubConfig } from "./github-config.js";
import { eventFacts, isSupportedEvent, SUPPORTED_EVENTS, type SupportedEvent } from "./github-metadata.js";

export const GITHUB_DOCUMENTATION = "https://clintjedwards.com/gofer/ref/triggers/provided/github.html";

export function githubInstructions(): Instructions {
  return instructions()
    .message(":: The github trigger runs pipelines on GitHub webhook events: create, push, release and check_suite.")
    .message("")
    .message("In GitHub, add a webhook (repository or organisation Settings → Webhooks) with:")
    .message("  Payload URL:  https://<your gofer host>:8081/external/<trigger name>   (external_events_api.host)")
    .message("  Content type: application/json, and a secret, the same one you enter below.")
    .message("Pipelines subscribe with EVENTS (e.g. push,release) and REPOSITORY (owner/name).")
    .query("Enter the webhook secret (GitHub signs every delivery with it)", "webhook_secret")
    .build();
}

interface Interest {
  events: ReadonlySet<SupportedEvent>;
  /** owner/name, lower-cased. */
  repository: string;
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function parseInterest(subscription: Subscription): Interest {
  const eventsText = subscription.settings.require("EVENTS");
  const names = eventsText
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !isSupportedEvent(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `setting EVENTS = ${JSON.stringify(eventsText)}: ${
        names.length === 0 ? "names no event" : `unsupported event ${unknown.map((n) => JSON.stringify(n)).join(", ")}`
      }; use a comma list of ${SUPPORTED_EVENTS.join(", ")}`,
    );
  }
  const repository = subscription.settings.require("REPOSITORY").trim();
  if (!REPOSITORY.test(repository)) {
    throw new Error(`setting REPOSITORY = ${JSON.stringify(repository)} must be owner/name, e.g. clintjedwards/gofer`);
  }
  return { events: new Set(names as SupportedEvent[]), repository: repository.toLowerCase() };
}

/** The JSON body of a delivery: GitHub sends application/json, or a form with the JSON in `payload`. */
function parseBody(event: ExternalEvent): unknown {
  const type = (event.header("content-type") ?? "").toLowerCase();
  const text = type.startsWith("application/x-www-form-urlencoded")
    ? (new URLSearchParams(event.body.toString("utf8")).get("payload") ?? "")
    : event.body.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`body is not JSON (Content-Type ${JSON.stringify(type)})`);
  }
}

export interface GithubStats {
  accepted: number;
  refused: number;
  fired: number;
}

export function createGithubTrigger(context: TriggerContext): TriggerDefinition & { stats: GithubStats } {
  const config = readGithubConfig(context.env);
  const { logger } = context;
  const interests = new Map<Subscription, Interest>();
  const stats: GithubStats = { accepted: 0, refused: 0, fired: 0 };
  logger.info("github trigger ready", {
    events: SUPPORTED_EVENTS.join(","),
    githubApp: config.app ? `app ${config.app.id}, installation ${config.app.installation} (unused)` : "none",
  });

  return {
    documentation: GITHUB_DOCUMENTATION,
    stats,
    subscribe(subscription) {
      const interest = parseInterest(subscription);
      interests.set(subscription, interest);
      subscription.signal.addEventListener("abort", () => interests.delete(subscription), { once: true });
    },
    async externalEvent(event) {
      const delivery = event.header("X-GitHub-Delivery") ?? "(no X-GitHub-Delivery)";
      const name = event.header("X-GitHub-Event");
      const refuse = (why: string): never => {
        stats.refused += 1;
        throw new Error(`delivery ${delivery}: ${why}`);
      };
      const signature = event.header("X-Hub-Signature-256");
      if (signature === undefined) {
        refuse("no X-Hub-Signature-256 header; give the webhook in GitHub the secret set as WEBHOOK_SECRET");
      }
      if (!verifyHmacSha256(config.webhookSecret, event.body, signature)) {
        refuse(
          "X-Hub-Signature-256 does not match the body signed with WEBHOOK_SECRET; " +
            "the webhook's secret in GitHub must equal the trigger's WEBHOOK_SECRET",
        );
      }
      if (name === undefined) return refuse("no X-GitHub-Event header");
      stats.accepted += 1;
      if (name === "ping") {
        logger.info("ping from GitHub", { delivery, hook: event.header("X-GitHub-Hook-ID") ?? "" });
        return;
      }
      if (!isSupportedEvent(name)) {
        logger.debug("event not supported; ignored", { delivery, event: name });
        return;
      }
      let payload: unknown;
      try {
        payload = parseBody(event);
      } catch (error) {
        refuse((error as Error).message);
      }
      const facts = eventFacts(name, payload);
      const repository = facts.repository.toLowerCase();
      const matching = [...interests].filter(([, i]) => i.events.has(name) && i.repository === repository);
      const details = `New ${JSON.stringify(name)} event from ${JSON.stringify(facts.repository)}`;
      await Promise.all(
        matching.map(async ([subscription]) => {
          if (await subscription.emit({ details, metadata: facts.metadata })) stats.fired += 1;
        }),
      );
      logger.info("delivery accepted", {
        delivery,
        event: name,
        repository: facts.repository,
        subscriptions: matching.length,
      });
    },
  };
}
