// A user's webhook setup through the CLI: `gofer trigger install github … -c WEBHOOK_SECRET=…`, a pipeline subscribing
// to pushes, a GitHub delivery POSTed to the external events endpoint, then `gofer run list` and `gofer event list`.
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { signedDelivery } from "../../triggers-github/test/webhook-deliveries.js";
import { type CliTestServer, startCliTestServer } from "./cli-harness.js";

let t: CliTestServer;
beforeAll(async () => {
  t = await startCliTestServer();
});
afterAll(async () => {
  await t?.destroy();
});

function post(path: string, headers: Array<[string, string]>, body: Buffer): Promise<number> {
  const [host, port] = (t.server.externalEventsAddress ?? "").split(":");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port),
        path,
        method: "POST",
        headers: Object.fromEntries(headers),
        ca: t.server.apiCertPem ?? "",
        servername: "localhost",
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

test("a push delivered to /external/github shows as a run triggered by github and as an external event", async () => {
  const install = await t.gofer([
    "trigger",
    "install",
    "github",
    "ghcr.io/clintjedwards/gofer/triggers/github:latest",
    "-c",
    "WEBHOOK_SECRET=s3cret",
  ]);
  expect(install.code, install.stderr).toBe(0);
  const config = join(t.dir, "hooked.yaml");
  writeFileSync(
    config,
    [
      "id: hooked",
      "tasks:",
      "  - id: show",
      "    image: alpine:3",
      "    command: [sh, -c, 'echo $GOFER_TRIGGER_GITHUB_REF']",
      "triggers:",
      "  - name: github",
      "    label: on_push",
      "    settings:",
      "      events: push",
      "      repository: octo-org/hello-world",
      "",
    ].join("\n"),
  );
  expect((await t.gofer(["pipeline", "create", config])).code).toBe(0);

  const delivery = signedDelivery("push", "s3cret", { deliveryId: "cli-1" });
  expect(await post("/external/github", delivery.headers, delivery.body)).toBe(200);

  let runs = "";
  for (let i = 0; i < 100 && !/github \(on_push\)/.test(runs); i += 1) {
    runs = (await t.gofer(["run", "list", "hooked"])).stdout;
  }
  expect(runs).toMatch(/\n1 +\w+ .*github \(on_push\)/);

  const listed = await t.gofer(["event", "list"]);
  expect(listed.stdout).toMatch(/#\d+ +External event +.* name=github method=POST path=\/external\/github headers=/);
  const json = (await t.gofer(["event", "list", "--format", "json"])).stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { kind: string; details: { headers: string[][]; body_bytes: number } });
  const external = json.find((e) => e.kind === "EXTERNAL_EVENT");
  expect(external?.details.headers).toContainEqual(["X-GitHub-Delivery", "cli-1"]);
  expect(external?.details.body_bytes).toBe(delivery.body.length);
});
