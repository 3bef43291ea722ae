// followEvents (events/event-feed.ts): the stored events page by page, then, when following, those published later,
// each once even when it is both stored and published while the history is read; it ends when the signal aborts and
// stops listening when the reader leaves early.
import { FakeClock } from "@gofer/kernel";
import { describe, expect, it } from "vitest";
import { followEvents } from "../src/events/event-feed.js";
import { EventLog } from "../src/events/event-log.js";
import { useTempDatabase } from "./temp-database.js";

describe("followEvents", () => {
  const temp = useTempDatabase();

  it("lists the history in pages, newest first when reversed, and does not follow then", async () => {
    const log = new EventLog(temp.database.db, new FakeClock());
    for (let i = 1; i <= 5; i++) await log.record("CREATED_NAMESPACE", { namespace_id: `n${i}` });
    const read = async (reverse: boolean, follow: boolean) => {
      const ids: number[] = [];
      const feed = followEvents(
        { db: temp.database.db, log },
        { reverse, follow, pageSize: 2 },
        new AbortController().signal,
      );
      for await (const event of feed) ids.push(event.id);
      return ids;
    };
    expect(await read(false, false)).toEqual([1, 2, 3, 4, 5]);
    expect(await read(true, true)).toEqual([5, 4, 3, 2, 1]);
  });

  it("follows: the history, then each event published after, once, until the signal aborts", async () => {
    const log = new EventLog(temp.database.db, new FakeClock());
    await log.record("CREATED_NAMESPACE", { namespace_id: "one" });
    await log.record("CREATED_NAMESPACE", { namespace_id: "two" });
    const stop = new AbortController();
    const feed = followEvents(
      { db: temp.database.db, log },
      { reverse: false, follow: true, pageSize: 1 },
      stop.signal,
    );
    const ids = [(await feed.next()).value?.id];
    // Stored and published while the history is read: the pages still to come hold it, and the listener heard it.
    await log.record("CREATED_NAMESPACE", { namespace_id: "three" });
    ids.push((await feed.next()).value?.id, (await feed.next()).value?.id);
    const fourth = feed.next();
    await log.record("DELETED_NAMESPACE", { namespace_id: "four" });
    ids.push((await fourth).value?.id);
    expect(ids).toEqual([1, 2, 3, 4]);
    const ended = feed.next();
    stop.abort();
    expect((await ended).done).toBe(true);
  });

  it("stops listening when the reader leaves before the signal aborts", async () => {
    const log = new EventLog(temp.database.db, new FakeClock());
    const listen = log.listen.bind(log);
    const signals: AbortSignal[] = [];
    log.listen = (listener, signal) => {
      signals.push(signal);
      listen(listener, signal);
    };
    const feed = followEvents(
      { db: temp.database.db, log },
      { reverse: false, follow: true, pageSize: 10 },
      new AbortController().signal,
    );
    const pending = feed.next();
    await log.record("CREATED_NAMESPACE", { namespace_id: "one" });
    await pending;
    expect(signals.map((s) => s.aborted)).toEqual([false]);
    await feed.return(undefined);
    expect(signals.map((s) => s.aborted)).toEqual([true]);
  });
});
