// The questions of `gofer trigger install` (install-dialogue.ts), with answers typed by a fake terminal.
import { describe, expect, test } from "vitest";
import { runInstallDialogue, titleCase } from "../src/commands/install-dialogue.js";
import { CliError } from "../src/exit-codes.js";
import { createPalette } from "../src/output/palette.js";
import type { Prompter } from "../src/prompt.js";

const instructions = {
  instructions: [
    { message: { text: "The cron trigger runs pipelines on a schedule." } },
    { query: { text: "Greeting to log", config_key: "GREETING" } },
    { query: { text: "Time zone (empty for UTC)", config_key: "TZ" } },
  ],
};

function typing(...answers: string[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    ask: async (question) => {
      asked.push(question);
      return (answers.shift() ?? "").trim();
    },
    close: () => {},
  };
}

describe("the install dialogue", () => {
  test("answers keep their spaces, an empty answer leaves the setting unset, and Enter confirms", async () => {
    const out: string[] = [];
    const prompter = typing("hello there, world", "", "");
    const variables = await runInstallDialogue(
      "cron",
      instructions,
      prompter,
      { write: (t) => out.push(t) },
      createPalette(false),
    );
    expect(variables).toEqual({ GREETING: "hello there, world" });
    expect(out.join("")).toBe(":: Cron Trigger Setup\n\nThe cron trigger runs pipelines on a schedule.\n");
    expect(prompter.asked).toEqual([
      "> Greeting to log: ",
      "> Time zone (empty for UTC): ",
      '> Install trigger "Cron" with above settings? [Y/n]: ',
    ]);
  });

  test.each(["y", "Y", "yes"])("%s confirms", async (answer) => {
    await expect(
      runInstallDialogue("cron", instructions, typing("a", "b", answer), { write: () => {} }, createPalette(false)),
    ).resolves.toEqual({
      GREETING: "a",
      TZ: "b",
    });
  });

  test.each(["n", "no", "later"])("%s aborts, installing nothing", async (answer) => {
    const run = runInstallDialogue(
      "cron",
      instructions,
      typing("a", "b", answer),
      { write: () => {} },
      createPalette(false),
    );
    await expect(run).rejects.toThrow(new CliError("installation aborted: nothing was installed", 1));
  });
});

test("trigger names are title-cased as v0.4.1 did", () => {
  expect(titleCase("interval")).toBe("Interval");
  expect(titleCase("my_github-hook")).toBe("My_Github-Hook");
});
