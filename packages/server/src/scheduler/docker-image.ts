// Makes sure an image is present before a container is created from it.
//
// - Not alwaysPull (triggers, tasks): a local image is used as is (so :latest is not refreshed, as the original,
//   spec §2.2); a missing one is pulled, with the registry auth when one is given (the original pulled this path
//   without auth, spec §7 #23: fixed).
// - alwaysPull (installers, spec §2.8): pulled first; when the pull fails but the image is present locally, the local
//   image is used and the pull error is logged as a warning. Machines without a registry (ours, air-gapped ones) can
//   thus still read install instructions from images built or loaded locally.
// - A failed pull of a missing image is a SchedulerError naming the image, the registry and the daemon's reason.
import type { Logger } from "winston";
import type { DockerApi, DockerAuthConfig } from "./docker-api.js";
import { dockerErrorMessage, isDaemonUnreachable, isNotFound } from "./docker-error.js";
import { type RegistryAuth, SchedulerError } from "./scheduler.js";

export interface ImageRequest {
  image: string;
  registryAuth?: RegistryAuth;
  alwaysPull?: boolean;
}

const DOCKER_HUB = "https://index.docker.io/v1/";

/** The registry an image reference names: its first path part when that is a host, else Docker Hub. */
export function registryOf(image: string): string {
  const slash = image.indexOf("/");
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  if (first === "docker.io" || first === "index.docker.io") return DOCKER_HUB;
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : DOCKER_HUB;
}

export async function imagePresent(api: DockerApi, image: string): Promise<boolean> {
  try {
    await api.getImage(image).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export async function ensureImage(
  api: DockerApi,
  request: ImageRequest,
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  const { image } = request;
  const present = await imagePresent(api, image);
  if (present && !request.alwaysPull) return;
  try {
    await pullImage(api, image, request.registryAuth, signal);
  } catch (error) {
    if (isDaemonUnreachable(error) || signal?.aborted) throw error;
    const reason = dockerErrorMessage(error);
    if (present) {
      logger.warn("could not pull image; using the local one", { image, error: reason });
      return;
    }
    const auth = request.registryAuth ? ` with registry auth of user "${request.registryAuth.user}"` : "";
    throw new SchedulerError(
      `image "${image}" is not present locally and could not be pulled from ${registryOf(image)}${auth}: ${reason}`,
      { cause: error },
    );
  }
}

async function pullImage(
  api: DockerApi,
  image: string,
  registryAuth: RegistryAuth | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const authconfig: DockerAuthConfig | undefined = registryAuth
    ? { username: registryAuth.user, password: registryAuth.pass, serveraddress: registryOf(image) }
    : undefined;
  const stream = await api.pull(image, {
    ...(authconfig ? { authconfig } : {}),
    ...(signal ? { abortSignal: signal } : {}),
  });
  // The daemon answers 200 at once and reports a failure later, as a progress line carrying `error`.
  let partial = "";
  let failure: string | undefined;
  const inspectLine = (line: string) => {
    if (line.trim() === "" || failure) return;
    try {
      const progress = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
      if (progress.error || progress.errorDetail) failure = progress.errorDetail?.message ?? progress.error;
    } catch {
      // not JSON: progress only
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) inspectLine(line);
  }
  inspectLine(partial);
  if (failure) throw new Error(failure);
  if (!(await imagePresent(api, image))) {
    throw new Error(`the pull of "${image}" finished but the image is not present`);
  }
}
