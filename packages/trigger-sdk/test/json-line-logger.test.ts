import { describe, expect, it } from "vitest";
import { createJsonLineLogger } from "../src/logger.js";

function capture(level: string, name?: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLineLogger({
    level,
    ...(name ? { name } : {}),
    stream: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

describe("the trigger's JSON line logger", () => {
  it("writes what its level shows as the lines Gofer's supervisor reads: level, message, fields, trigger, timestamp", () => {
    const { logger, lines } = capture("info", "interval");
    logger.debug("hidden");
    logger.info("subscribed", { subscription: 'ns/p (label "l")' });
    logger.error("failed", { error: new Error("boom"), count: 3n });
    expect(lines.map(({ timestamp, ...rest }) => [typeof timestamp, rest])).toEqual([
      ["string", { level: "info", message: "subscribed", trigger: "interval", subscription: 'ns/p (label "l")' }],
      ["string", { level: "error", message: "failed", trigger: "interval", error: "boom", count: "3" }],
    ]);
  });

  it("maps the original's zerolog level names, and an unknown one to debug", () => {
    const warn = capture("WARN");
    warn.logger.info("hidden");
    warn.logger.warn("shown");
    const unknown = capture("verbose");
    unknown.logger.debug("shown");
    expect([warn.lines.map((l) => l.message), unknown.lines.map((l) => l.message)]).toEqual([["shown"], ["shown"]]);
  });

  it("keeps the message of a line whose fields cannot be written", () => {
    const { logger, lines } = capture("info");
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    logger.info("still here", { loop });
    expect(lines.map((l) => [l.level, l.message])).toEqual([["info", "still here"]]);
  });

  it("writes nothing when silent", () => {
    const lines: string[] = [];
    const logger = createJsonLineLogger({ silent: true, stream: { write: (line: string) => lines.push(line) } });
    logger.error("not even this");
    expect(lines).toEqual([]);
  });
});
