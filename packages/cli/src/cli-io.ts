// Everything a command touches outside itself: the three streams, the environment, the working and home
// directories and the clock. main.ts builds the real one; nothing else reads `process` (service start aside).
import type { Clock } from "@gofer/kernel/clock";

export interface OutputStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string | Uint8Array): boolean;
}

export interface InputStream extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homeDir: string;
  readonly clock: Clock;
  /** The node binary, for running TypeScript/JavaScript pipeline programs. */
  readonly execPath: string;
}
