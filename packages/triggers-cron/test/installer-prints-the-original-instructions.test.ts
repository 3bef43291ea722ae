import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const trigger = fileURLToPath(new URL("../trigger", import.meta.url));

describe("./trigger installer", () => {
  it("prints the original's three messages and no query, as one line of JSON", async () => {
    const { stdout } = await promisify(execFile)(trigger, ["installer"], { env: { PATH: process.env.PATH } });
    expect(stdout).toBe(
      `${JSON.stringify({
        instructions: [
          {
            message: {
              text: ":: The cron trigger allows users to trigger their pipelines on the passage of time by setting particular timeframes.",
            },
          },
          { message: { text: "" } },
          { message: { text: "There are no configuration options for the cron trigger." } },
        ],
      })}\n`,
    );
  });

  it("prints the usage and fails for anything else", async () => {
    await expect(promisify(execFile)(trigger, [], { env: { PATH: process.env.PATH } })).rejects.toMatchObject({
      code: 1,
      stderr: "Usage: ./trigger <server|installer>\n",
    });
  });
});
