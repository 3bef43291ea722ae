// Reading a container's output on the docker engine: an output that Docker's follow missed (it can end the follow of a
// container that exited at once before copying its output) is read again, and a container's output is read once.
import { systemClock } from "@gofer/kernel";
import { expect, test } from "vitest";
import { DockerScheduler } from "../src/scheduler/docker-scheduler.js";
import { FakeDockerApi, frame, recordingLogger } from "./docker-fake-api.js";

async function exitedWith(lines: string[]) {
  const api = new FakeDockerApi();
  api.images.add("img");
  const engine = new DockerScheduler({ api, network: "host", clock: systemClock, logger: recordingLogger().logger });
  const { id } = await engine.start({ name: "installer_x", image: "img", env: {}, labels: {} });
  const container = api.containers.get(id);
  container?.output.push(...lines.map((line) => frame(1, `${line}\n`)));
  container?.exit(0);
  const read = async () => {
    const out: string[] = [];
    for await (const line of engine.logs(id)) out.push(line);
    return out;
  };
  return { api, engine, read };
}

test("an output the first follow missed is read again once the container has exited", async () => {
  const { api, engine, read } = await exitedWith(["a log line", '{"instructions":[]}']);
  api.logsMissedOnce = true;
  expect(await read()).toEqual(["a log line", '{"instructions":[]}']);
  await engine.close(0);
});

test("an output the follow delivered is not read twice", async () => {
  const { engine, read } = await exitedWith(["once"]);
  expect(await read()).toEqual(["once"]);
  await engine.close(0);
});
