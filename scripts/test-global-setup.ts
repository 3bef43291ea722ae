// Runs once before the whole test suite. Docker-dependent tests run whenever a daemon answers (the images they use
// are built here, offline); with CI=true a missing daemon fails the run instead of skipping them.
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    docker: { available: boolean; reason: string };
  }
}

export const DOCKER_HINT =
  "start a Docker daemon to run them (as root: apt-get install -y docker.io && (dockerd > /tmp/dockerd.log 2>&1 &)), then `pnpm images`";

export default function setup(project: TestProject): void {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8", timeout: 15_000 });
  const available = info.status === 0;
  if (!available) {
    const reason = `no Docker daemon answers (${(info.stderr || info.error?.message || "").trim().split("\n")[0]})`;
    if (process.env.CI === "true") throw new Error(`CI=true but ${reason}; Docker tests must run in CI`);
    console.warn(`Docker tests are skipped: ${reason}; ${DOCKER_HINT}`);
    project.provide("docker", { available: false, reason });
    return;
  }
  if (process.env.GOFER_SKIP_IMAGE_BUILD !== "1") {
    const script = fileURLToPath(new URL("./build-images.sh", import.meta.url));
    execFileSync("bash", [script], { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 });
  }
  project.provide("docker", { available: true, reason: "" });
}
