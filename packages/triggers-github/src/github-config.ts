// Install config of the github trigger. WEBHOOK_SECRET is required: it is the secret set on the webhook in GitHub,
// and every delivery's X-Hub-Signature-256 is checked against it. It is read as GOFER_PLUGIN_CONFIG_WEBHOOK_SECRET
// (`gofer trigger install github <image> -c WEBHOOK_SECRET=…`), the bare WEBHOOK_SECRET Gofer also exports, or the
// original's GOFER_TRIGGER_GITHUB_APPS_WEBHOOK_SECRET. The original also required GitHub App credentials
// (GOFER_TRIGGER_GITHUB_APPS_ID, _INSTALLATION, _KEY) for an API client that no feature used; here they are optional,
// checked for form when given, and unused.
import { getConfig } from "@gofer/trigger-sdk";

export const LEGACY_ENV = "GOFER_TRIGGER_GITHUB_APPS_";

export class GithubConfigError extends Error {
  override name = "GithubConfigError";
}

export interface GithubApp {
  id: number;
  installation: number;
  /** The App's private key (PEM), decoded from base64. */
  keyPem: string;
}

export interface GithubConfig {
  webhookSecret: string;
  app: GithubApp | undefined;
}

/** Our install config key → the original's env name (spec §4). */
const LEGACY_NAMES: Readonly<Record<string, string>> = {
  webhook_secret: `${LEGACY_ENV}WEBHOOK_SECRET`,
  apps_id: `${LEGACY_ENV}ID`,
  apps_installation: `${LEGACY_ENV}INSTALLATION`,
  apps_key: `${LEGACY_ENV}KEY`,
};

function read(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const legacy = LEGACY_NAMES[key];
  const value = getConfig(key, env) ?? (legacy === undefined ? undefined : env[legacy]);
  return value === "" ? undefined : value;
}

export function readGithubConfig(env: NodeJS.ProcessEnv): GithubConfig {
  const webhookSecret = read(env, "webhook_secret");
  if (webhookSecret === undefined) {
    throw new GithubConfigError(
      "install config WEBHOOK_SECRET is required: the secret of the GitHub webhook " +
        "(gofer trigger install github <image> -c WEBHOOK_SECRET=<secret>; also read as " +
        `GOFER_PLUGIN_CONFIG_WEBHOOK_SECRET or ${LEGACY_ENV}WEBHOOK_SECRET)`,
    );
  }
  const id = read(env, "apps_id");
  const installation = read(env, "apps_installation");
  const key = read(env, "apps_key");
  if (id === undefined && installation === undefined && key === undefined) return { webhookSecret, app: undefined };
  const number = (name: string, value: string | undefined) => {
    if (value === undefined || !/^\d+$/.test(value)) {
      throw new GithubConfigError(
        `install config ${name} = ${JSON.stringify(value ?? "")} must be a number when GitHub App credentials are given`,
      );
    }
    return Number(value);
  };
  const keyPem = Buffer.from(key ?? "", "base64").toString("utf8");
  if (!keyPem.includes("-----BEGIN")) {
    throw new GithubConfigError(
      "install config APPS_KEY must be the GitHub App's private key (PEM) encoded in base64 when App credentials are given",
    );
  }
  return {
    webhookSecret,
    app: { id: number("APPS_ID", id), installation: number("APPS_INSTALLATION", installation), keyPem },
  };
}
