// Runs a trigger image in installer mode and returns its install instructions (spec §2.8): entrypoint
// ["./trigger", "installer"], networking off, always pulled, the five system variables with the name "Installer".
// Unlike the original, only the last non-empty line of output counts (log lines before it are fine, §7 #28), it must
// parse as the instructions document, and the container is removed afterwards.

import { randomBytes } from "node:crypto";
import { generateTriggerKey, parseInstructions } from "@gofer/trigger-sdk";
import { errorMessage, FailedPreconditionError } from "../errors.js";
import type { RegistryAuth, Scheduler } from "../scheduler/scheduler.js";
import { buildInstallerEnv } from "./trigger-env.js";
import type { TriggerTls } from "./trigger-supervisor.js";

export interface InstallerRequest {
  image: string;
  registryAuth?: RegistryAuth;
  /** "./trigger" for v0.4 triggers, "./extension" for v0.5 extensions, "./commontask" for common tasks. */
  binary?: "./trigger" | "./extension" | "./commontask";
  /** Replaces the installer env (a common task's installer gets none, spec §9.5). */
  env?: Record<string, string>;
}

export async function runInstaller(
  scheduler: Scheduler,
  tls: TriggerTls,
  logLevel: string,
  request: InstallerRequest,
): Promise<string> {
  const binary = request.binary ?? "./trigger";
  const started = await scheduler.start({
    name: `installer_${randomBytes(5).toString("hex")}`,
    image: request.image,
    ...(request.registryAuth ? { registryAuth: request.registryAuth } : {}),
    alwaysPull: true,
    env:
      request.env ??
      buildInstallerEnv({ key: generateTriggerKey(), certPem: tls.certPem, keyPem: tls.keyPem, logLevel }),
    entrypoint: [binary, "installer"],
    network: "none",
    labels: { gofer: "true", "gofer.kind": "installer" },
  });
  const lines: string[] = [];
  try {
    for await (const line of scheduler.logs(started.id)) lines.push(line);
    const status = await scheduler.wait(started.id);
    const last =
      lines
        .filter((line) => line.trim() !== "")
        .at(-1)
        ?.trim() ?? "";
    if (status.exitCode !== 0) {
      throw new FailedPreconditionError(
        `installer of image "${request.image}" (${binary} installer) exited with code ${status.exitCode}${last ? `: ${last}` : ""}`,
      );
    }
    try {
      parseInstructions(last);
    } catch (error) {
      throw new FailedPreconditionError(
        `installer of image "${request.image}" printed no valid instructions: ${errorMessage(error)}`,
      );
    }
    return last;
  } finally {
    await scheduler.remove(started.id).catch(() => {});
  }
}
