// The github trigger in-process over real TLS (startTestTrigger): GitHub's deliveries, as Gofer forwards them, fire
// exactly the subscriptions naming their event and repository, with the v0.4.1 metadata; forged or unsigned
// deliveries are refused and fire nothing.
import { type TriggerWatchResponse, TriggerWatchResponse_Result } from "@gofer/proto";
import { createLogger, startTestTrigger, type TestTrigger } from "@gofer/trigger-sdk";
import { afterEach, describe, expect, test } from "vitest";
import { createGithubTrigger, readGithubConfig } from "../src/index.js";
import { deliveryBytes, fixtureBody, signedDelivery } from "./webhook-deliveries.js";

const SECRET = "It's a Secret to Everybody";
/** gRPC status code 3. */
const INVALID_ARGUMENT = 3;
let trigger: TestTrigger | undefined;
afterEach(async () => {
  await trigger?.close();
  trigger = undefined;
});

async function start(env: NodeJS.ProcessEnv = { GOFER_PLUGIN_CONFIG_WEBHOOK_SECRET: SECRET }) {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", name: "github" });
  logger.on("data", (info: { message: string; error?: string }) => lines.push(`${info.message} ${info.error ?? ""}`));
  trigger = await startTestTrigger(createGithubTrigger, { name: "github", env, logger });
  return { t: trigger, lines };
}

async function subscribe(t: TestTrigger, label: string, config: Record<string, string>) {
  await t.client.subscribe({ namespaceId: "default", pipelineId: "p", pipelineTriggerLabel: label, config });
}

/** Watches once with a short deadline; undefined when nothing came. */
async function nextEvent(t: TestTrigger, timeoutMs = 300): Promise<TriggerWatchResponse | undefined> {
  const event = t.running.queue.size > 0 ? await t.client.watch(AbortSignal.timeout(timeoutMs)) : undefined;
  return event?.pipelineTriggerLabel ? event : undefined;
}

describe("the github trigger", () => {
  test("a signed push fires each subscription for push on that repository, with the original's details and metadata", async () => {
    const { t } = await start();
    await subscribe(t, "on-push", { EVENTS: "push", REPOSITORY: "octo-org/hello-world" });
    await subscribe(t, "on-push-and-release", { EVENTS: "release, push", REPOSITORY: "Octo-Org/Hello-World" });
    await subscribe(t, "other-repo", { EVENTS: "push", REPOSITORY: "octo-org/another" });
    await subscribe(t, "release-only", { EVENTS: "release", REPOSITORY: "octo-org/hello-world" });
    await t.client.externalEvent({ payload: deliveryBytes("/external/github", signedDelivery("push", SECRET)) });

    const events = [await nextEvent(t), await nextEvent(t)];
    expect(await nextEvent(t)).toBeUndefined();
    expect(events.map((e) => e?.pipelineTriggerLabel).sort()).toEqual(["on-push", "on-push-and-release"]);
    expect(events[0]).toMatchObject({
      result: TriggerWatchResponse_Result.SUCCESS,
      details: 'New "push" event from "octo-org/hello-world"',
      metadata: {
        GOFER_TRIGGER_GITHUB_REF: "refs/heads/main",
        GOFER_TRIGGER_GITHUB_REPOSITORY: "octo-org/hello-world",
        GOFER_TRIGGER_GITHUB_HEAD_COMMIT_ID: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        GOFER_TRIGGER_GITHUB_HEAD_COMMIT_AUTHOR_NAME: "Mona Lisa Octocat",
        GOFER_TRIGGER_GITHUB_HEAD_COMMIT_AUTHOR_EMAIL: "mona@github.com",
        GOFER_TRIGGER_GITHUB_HEAD_COMMIT_AUTHOR_USERNAME: "octocat",
        GOFER_TRIGGER_GITHUB_HEAD_COMMIT_COMMITER_NAME: "GitHub",
        GOFER_TRIGGER_GITHUB_HEAD_COMMIT_COMMITER_EMAIL: "noreply@github.com",
        GOFER_TRIGGER_GITHUB_HEAD_COMMIT_COMMITER_USERNAME: "web-flow",
      },
    });
  });

  test("release, create and check_suite carry their metadata; release times read as Go printed them", async () => {
    const { t } = await start();
    await subscribe(t, "all", { EVENTS: "create,push,release,check_suite", REPOSITORY: "octo-org/hello-world" });
    await t.client.externalEvent({ payload: deliveryBytes("/external/github", signedDelivery("release", SECRET)) });
    expect((await nextEvent(t))?.metadata).toEqual({
      GOFER_TRIGGER_GITHUB_ACTION: "published",
      GOFER_TRIGGER_GITHUB_REPOSITORY: "octo-org/hello-world",
      GOFER_TRIGGER_GITHUB_RELEASE_TAG_NAME: "v1.2.0",
      GOFER_TRIGGER_GITHUB_RELEASE_TARGET_COMMITISH: "main",
      GOFER_TRIGGER_GITHUB_RELEASE_AUTHOR_LOGIN: "octocat",
      GOFER_TRIGGER_GITHUB_RELEASE_CREATED_AT: "2026-11-30 17:20:53 +0000 UTC",
      GOFER_TRIGGER_GITHUB_RELEASE_PUBLISHED_AT: "2026-11-30 17:21:07 +0000 UTC",
    });
    await t.client.externalEvent({ payload: deliveryBytes("/external/github", signedDelivery("create", SECRET)) });
    expect((await nextEvent(t))?.metadata).toEqual({
      GOFER_TRIGGER_GITHUB_REF: "v1.2.0",
      GOFER_TRIGGER_GITHUB_REF_TYPE: "tag",
      GOFER_TRIGGER_GITHUB_REPOSITORY: "octo-org/hello-world",
    });
    await t.client.externalEvent({ payload: deliveryBytes("/external/github", signedDelivery("check_suite", SECRET)) });
    expect((await nextEvent(t))?.metadata).toEqual({
      GOFER_TRIGGER_GITHUB_ACTION: "requested",
      GOFER_TRIGGER_GITHUB_REPOSITORY: "octo-org/hello-world",
      GOFER_TRIGGER_GITHUB_CHECK_SUITE_ID: "118578147",
      GOFER_TRIGGER_GITHUB_CHECK_SUITE_HEAD_SHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      GOFER_TRIGGER_GITHUB_CHECK_SUITE_HEAD_BRANCH: "changes",
    });
  });

  test("a ping is answered and fires nothing", async () => {
    const { t, lines } = await start();
    await subscribe(t, "on-push", { EVENTS: "push", REPOSITORY: "octo-org/hello-world" });
    await t.client.externalEvent({ payload: deliveryBytes("/external/github", signedDelivery("ping", SECRET)) });
    expect(await nextEvent(t)).toBeUndefined();
    expect(lines.some((l) => l.startsWith("ping from GitHub"))).toBe(true);
  });

  test("a wrong or missing signature is refused, says why in the trigger's log and fires nothing", async () => {
    const { t, lines } = await start();
    await subscribe(t, "on-push", { EVENTS: "push", REPOSITORY: "octo-org/hello-world" });
    const forged = signedDelivery("push", "not the secret", { deliveryId: "forged-1" });
    await expect(t.client.externalEvent({ payload: deliveryBytes("/external/github", forged) })).rejects.toMatchObject({
      code: INVALID_ARGUMENT,
      details:
        "delivery forged-1: X-Hub-Signature-256 does not match the body signed with WEBHOOK_SECRET; " +
        "the webhook's secret in GitHub must equal the trigger's WEBHOOK_SECRET",
    });
    const tampered = signedDelivery("push", SECRET, { deliveryId: "tampered" });
    tampered.body = Buffer.from(tampered.body.toString().replace("octocat", "octodog"));
    await expect(t.client.externalEvent({ payload: deliveryBytes("/x", tampered) })).rejects.toMatchObject({
      code: INVALID_ARGUMENT,
    });
    const unsigned = signedDelivery("push", SECRET, { deliveryId: "unsigned" });
    unsigned.headers = unsigned.headers.filter(([k]) => !k.startsWith("X-Hub-Signature"));
    await expect(t.client.externalEvent({ payload: deliveryBytes("/x", unsigned) })).rejects.toMatchObject({
      details:
        "delivery unsigned: no X-Hub-Signature-256 header; give the webhook in GitHub the secret set as WEBHOOK_SECRET",
    });
    expect(await nextEvent(t)).toBeUndefined();
    expect(
      lines.filter((l) => l.startsWith("external event refused delivery forged-1: X-Hub-Signature-256")),
    ).toHaveLength(1);
  });

  test("takes the form-encoded content type GitHub also offers", async () => {
    const { t } = await start();
    await subscribe(t, "on-push", { EVENTS: "push", REPOSITORY: "octo-org/hello-world" });
    const body = Buffer.from(new URLSearchParams({ payload: fixtureBody("push").toString() }).toString());
    const delivery = signedDelivery("push", SECRET, { body });
    delivery.headers = delivery.headers.map(([k, v]) =>
      k === "Content-Type" ? [k, "application/x-www-form-urlencoded"] : [k, v],
    );
    await t.client.externalEvent({ payload: deliveryBytes("/external/github", delivery) });
    expect((await nextEvent(t))?.metadata.GOFER_TRIGGER_GITHUB_REF).toBe("refs/heads/main");
  });

  test("refuses subscriptions without EVENTS or REPOSITORY, with unsupported events or a malformed repository", async () => {
    const { t } = await start();
    const refusal = (config: Record<string, string>) =>
      subscribe(t, "x", config).then(
        () => "accepted",
        (error: { details: string }) => error.details,
      );
    expect(await refusal({ REPOSITORY: "a/b" })).toBe(
      'missing required setting "EVENTS" (also read as "GOFER_PLUGIN_PARAM_EVENTS")',
    );
    expect(await refusal({ EVENTS: "push" })).toBe(
      'missing required setting "REPOSITORY" (also read as "GOFER_PLUGIN_PARAM_REPOSITORY")',
    );
    expect(await refusal({ EVENTS: "push,pull_request", REPOSITORY: "a/b" })).toBe(
      'setting EVENTS = "push,pull_request": unsupported event "pull_request"; use a comma list of create, push, release, check_suite',
    );
    expect(await refusal({ EVENTS: "push", REPOSITORY: "https://github.com/a/b" })).toBe(
      'setting REPOSITORY = "https://github.com/a/b" must be owner/name, e.g. clintjedwards/gofer',
    );
    expect(await refusal({ GOFER_PLUGIN_PARAM_EVENTS: "push", GOFER_PLUGIN_PARAM_REPOSITORY: "a/b" })).toBe("accepted");
  });

  test("after Unsubscribe, deliveries no longer fire the pipeline", async () => {
    const { t } = await start();
    await subscribe(t, "on-push", { EVENTS: "push", REPOSITORY: "octo-org/hello-world" });
    await t.client.unsubscribe({ namespaceId: "default", pipelineId: "p", pipelineTriggerLabel: "on-push" });
    await t.client.externalEvent({ payload: deliveryBytes("/external/github", signedDelivery("push", SECRET)) });
    expect(await nextEvent(t)).toBeUndefined();
  });
});

describe("the github trigger's install config", () => {
  test("WEBHOOK_SECRET is required, under any of its three names", () => {
    expect(() => readGithubConfig({})).toThrow(
      "install config WEBHOOK_SECRET is required: the secret of the GitHub webhook (gofer trigger install github <image> -c WEBHOOK_SECRET=<secret>; also read as GOFER_PLUGIN_CONFIG_WEBHOOK_SECRET or GOFER_TRIGGER_GITHUB_APPS_WEBHOOK_SECRET)",
    );
    for (const name of [
      "WEBHOOK_SECRET",
      "GOFER_PLUGIN_CONFIG_WEBHOOK_SECRET",
      "GOFER_TRIGGER_GITHUB_APPS_WEBHOOK_SECRET",
    ]) {
      expect(readGithubConfig({ [name]: "s" })).toEqual({ webhookSecret: "s", app: undefined });
    }
  });

  test("GitHub App credentials are optional, and checked for form when given", () => {
    const key = Buffer.from("-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n").toString("base64");
    expect(
      readGithubConfig({
        WEBHOOK_SECRET: "s",
        GOFER_TRIGGER_GITHUB_APPS_ID: "12",
        GOFER_TRIGGER_GITHUB_APPS_INSTALLATION: "34",
        GOFER_TRIGGER_GITHUB_APPS_KEY: key,
      }).app,
    ).toMatchObject({ id: 12, installation: 34 });
    expect(() =>
      readGithubConfig({ WEBHOOK_SECRET: "s", GOFER_TRIGGER_GITHUB_APPS_ID: "twelve", APPS_KEY: key }),
    ).toThrow('install config APPS_ID = "twelve" must be a number when GitHub App credentials are given');
  });
});
