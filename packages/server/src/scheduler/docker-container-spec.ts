// How a ContainerSpec becomes the daemon's create options (spec §2.2). Networking: "host" shares the host's network
// and gives each listener its own 127.0.0.1:<free port> through spec.listen.addressEnv (GOFER_PLUGIN_SYSTEM_HOST /
// GOFER_EXTENSION_SYSTEM_HOST, which the original SDKs honour); "bridge" publishes the listen port (8080/tcp,
// 8082/tcp) on 127.0.0.1 with an ephemeral host port, as the original; spec.network "none" cuts networking off
// (installers). spec.readOnlyFiles are bind-mounted read-only at the same path (an extension's trust in the API's
// certificate); Docker refuses a relative path ("mount path must be absolute"), so each is resolved against the
// server's working directory first. Every container carries the label gofer=true beside the caller's labels, so
// orphans are found (list) and pruned (docker-pruner.ts).
import { resolve as resolvePath } from "node:path";
import type { DockerNetwork } from "../config/config.js";
import type { DockerCreateOptions } from "./docker-api.js";
import type { ContainerSpec } from "./scheduler.js";

export interface DockerContainerPlan {
  readonly options: DockerCreateOptions;
  readonly network: DockerNetwork | "none";
  /** The listener's address when it is known before start (host networking). */
  readonly address: string | undefined;
  /** The published port ("8080/tcp") whose host address is read back after start (bridge networking). */
  readonly publishedPort: string | undefined;
}

export interface DockerContainerPlanContext {
  /** The daemon-wide container name (instance-scoped). */
  readonly name: string;
  readonly network: DockerNetwork;
  /** gofer.instance=<id> when the server has an instance id. */
  readonly instanceLabels: Readonly<Record<string, string>>;
  /** A free 127.0.0.1 port for a listener on host networking. */
  readonly freePort: () => Promise<number>;
}

export async function dockerContainerPlan(
  spec: ContainerSpec,
  context: DockerContainerPlanContext,
): Promise<DockerContainerPlan> {
  const network = spec.network === "none" ? "none" : context.network;
  const env: Record<string, string> = { ...spec.env };
  const portKey = spec.listen ? `${spec.listen.containerPort}/tcp` : undefined;
  let address: string | undefined;
  if (spec.listen && network === "host") {
    address = `127.0.0.1:${await context.freePort()}`;
    env[spec.listen.addressEnv] = address;
  } else if (spec.listen && network === "bridge") {
    env[spec.listen.addressEnv] = `0.0.0.0:${spec.listen.containerPort}`;
  }
  const publish = network === "bridge" && portKey !== undefined;
  const options: DockerCreateOptions = {
    name: context.name,
    Image: spec.image,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...spec.labels, ...context.instanceLabels, gofer: "true" },
    ...(spec.entrypoint && spec.entrypoint.length > 0 ? { Entrypoint: [...spec.entrypoint] } : {}),
    ...(spec.command && spec.command.length > 0 ? { Cmd: [...spec.command] } : {}),
    ...(publish ? { ExposedPorts: { [portKey]: {} } } : {}),
    HostConfig: {
      NetworkMode: network,
      // Loopback only, ephemeral host port: as the original (spec §2.2); the address is read back after start.
      ...(publish ? { PortBindings: { [portKey]: [{ HostIp: "127.0.0.1", HostPort: "" }] } } : {}),
      ...(spec.readOnlyFiles && spec.readOnlyFiles.length > 0 ? { Binds: spec.readOnlyFiles.map(readOnlyBind) } : {}),
    },
  };
  return { options, network, address, publishedPort: publish ? portKey : undefined };
}

/** "path:path:ro" with the path made absolute: Docker takes only absolute host and container paths. */
export function readOnlyBind(path: string): string {
  const absolute = resolvePath(path);
  return `${absolute}:${absolute}:ro`;
}
