import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import winston from "winston";
import { createLevelGatedLogger } from "../src/winston-logger.js";

function capture(level: string) {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean)));
  let formatted = 0;
  const counting = winston.format((info) => {
    formatted += 1;
    return info;
  });
  const logger = createLevelGatedLogger({
    level,
    format: winston.format.combine(counting(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines, formatted: () => formatted };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("createLevelGatedLogger", () => {
  it("never formats what its level hides, in the logger and its children", async () => {
    const { logger, lines, formatted } = capture("warn");
    logger.info("hidden");
    logger.debug("hidden");
    logger.child({ trigger: "t" }).info("hidden");
    logger.warn("shown", { a: 1 });
    logger.child({ trigger: "t" }).error("shown too");
    await flush();
    expect(formatted()).toBe(2);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: "warn", message: "shown", a: 1 },
      { level: "error", message: "shown too", trigger: "t" },
    ]);
  });

  it("hands a hidden line to nothing: winston's stream never sees it", () => {
    const { logger } = capture("warn");
    const written: unknown[] = [];
    const write = logger.write.bind(logger);
    logger.write = (chunk: unknown) => {
      written.push(chunk);
      return write(chunk);
    };
    logger.info("hidden", { big: "x".repeat(100) });
    logger.child({ trigger: "t" }).debug("hidden");
    logger.warn("shown");
    expect(written).toHaveLength(1);
  });

  it("follows a level changed after creation", async () => {
    const { logger, lines } = capture("info");
    logger.debug("hidden");
    logger.level = "debug";
    logger.debug("now shown");
    await flush();
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(["now shown"]);
  });
});
