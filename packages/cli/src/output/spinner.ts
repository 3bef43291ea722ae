// A one-line progress indicator on stderr while something slow happens (fetching an image, starting a trigger,
// building a pipeline program). It draws only on a terminal in pretty output and leaves no trace when it stops:
// results are printed by the command, not by the spinner.

import type { Clock } from "@gofer/kernel/clock";
import type { OutputStream } from "../cli-io.js";
import type { Palette } from "./palette.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 80;

export class Spinner {
  private text = "";
  private running: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly stream: OutputStream,
    private readonly palette: Palette,
    private readonly clock: Clock,
    readonly enabled: boolean,
  ) {}

  start(text: string): this {
    this.text = text;
    if (!this.enabled || this.running) return this;
    const running = new AbortController();
    this.running = running;
    this.loop = (async () => {
      for (let frame = 0; !running.signal.aborted; frame++) {
        const width = Math.max(10, (this.stream.columns || 80) - 3);
        const line = [...this.text].slice(0, width).join("");
        this.stream.write(`\r\x1b[2K${this.palette.cyan(FRAMES[frame % FRAMES.length] as string)} ${line}`);
        await this.clock.sleep(FRAME_MS, running.signal).catch(() => {});
      }
      this.stream.write("\r\x1b[2K");
    })();
    return this;
  }

  update(text: string): void {
    this.text = text;
  }

  /** Clears the line; safe to call twice or when never started. */
  async stop(): Promise<void> {
    this.running?.abort();
    this.running = undefined;
    await this.loop;
    this.loop = undefined;
  }

  /** Runs work with the spinner showing text, and clears it however work ends. */
  async during<T>(text: string, work: () => Promise<T>): Promise<T> {
    this.start(text);
    try {
      return await work();
    } finally {
      await this.stop();
    }
  }
}
