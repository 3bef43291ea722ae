// Installer mode on a real daemon (spec §2.8, §7 #28): `./trigger installer` with networking off, always pulled, which
// here falls back to the local image as no registry answers; the last line of output is the instructions document and
// the container is removed afterwards. Our images also carry the original names (spec §2.1), so the provided
// triggers' original references work offline.
import { Trigger_TriggerState } from "@gofer/proto";
import Dockerode from "dockerode";
import { afterEach, describe, expect, inject, test } from "vitest";
import {
  containerName,
  docker,
  INTERVAL_IMAGE,
  removeContainersLabelled,
  startDockerServer,
  uniqueId,
} from "./docker-harness.js";
import type { TestServer } from "./server-harness.js";

const available = inject("docker").available;
let cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function start(): Promise<TestServer> {
  const s = await startDockerServer();
  cleanups.push(() => s.destroy());
  return s;
}

describe.skipIf(!available)("docker engine: installers and original image names", () => {
  test("install instructions come from the image's installer, whose container is removed afterwards", async () => {
    const s = await start();
    // The interval image under a name of this test's own, so that installers other test files run at the same time
    // (under the shared image names) are not taken for this one.
    const repo = uniqueId("gofer-test-installer-");
    const dockerode = new Dockerode();
    await dockerode.getImage(INTERVAL_IMAGE).tag({ repo, tag: "latest" });
    cleanups.push(() => dockerode.getImage(`${repo}:latest`).remove());
    const fromThisImage = async () =>
      (await dockerode.listContainers({ all: true, filters: { label: ["gofer.kind=installer"] } })).filter(
        (c) => c.Image === `${repo}:latest`,
      );

    const { instructions } = await s.api.getTriggerInstallInstructions({ image: `${repo}:latest`, user: "", pass: "" });
    const parsed = JSON.parse(instructions) as { instructions: Array<Record<string, unknown>> };
    expect(parsed.instructions.length).toBeGreaterThan(0);
    expect(Object.keys(parsed.instructions[0] ?? {})).toEqual([expect.stringMatching(/^(message|query)$/)]);
    expect(await fromThisImage()).toEqual([]);
  }, 60_000);

  test("a trigger installed by the original image name runs from the image built offline", async () => {
    const s = await start();
    const trigger = uniqueId("cron");
    cleanups.push(() => removeContainersLabelled({ "gofer.trigger": trigger }));
    await s.api.installTrigger({
      name: trigger,
      image: "ghcr.io/clintjedwards/gofer/triggers/cron:latest",
      user: "",
      pass: "",
      variables: {},
    });
    expect((await s.api.getTrigger({ name: trigger })).trigger?.state).toBe(Trigger_TriggerState.RUNNING);
    const info = await docker.getContainer(containerName(s, `trigger_${trigger}`)).inspect();
    expect(info.State.Running).toBe(true);
  }, 60_000);
});
