// Runs a pipeline program and returns its stdout, the PipelineConfig bytes. Per language:
//   Go:   `go build -v -o <tmp>/gofer_go_pipeline` in the program's directory, then that binary there — what v0.4.1
//         ran, except the binary goes to a private temp dir instead of a shared /tmp/gofer_go_pipeline;
//   Rust: `cargo run --manifest-path=<dir>/Cargo.toml`, as v0.4.1;
//   TypeScript/JavaScript: `node <entry>` in the directory, with tsx (the program's own, else the CLI's) for .ts.
//         The entry is package.json's "main", else the first of pipeline.ts, index.ts, main.ts (or .mts/.js/.mjs).
// stderr is build chatter and the program's logs: it feeds the progress line, and its tail is shown on failure.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError, ExitCode } from "../exit-codes.js";
import type { PipelineProgram } from "./detect-program.js";

export interface RunProgramOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The node binary for TypeScript/JavaScript programs. */
  readonly execPath: string;
  /** The CLI's working directory (cargo runs there, as in v0.4.1). */
  readonly cwd: string;
  /** Each line the build or the program writes to stderr. */
  readonly onProgress: (line: string) => void;
}

const TAIL_LINES = 15;
const ENTRY_NAMES = ["pipeline", "index", "main"].flatMap((n) => [".ts", ".mts", ".js", ".mjs"].map((e) => n + e));

export async function runPipelineProgram(program: PipelineProgram, options: RunProgramOptions): Promise<Uint8Array> {
  switch (program.language) {
    case "go": {
      const tmp = await mkdtemp(join(tmpdir(), "gofer-pipeline-"));
      try {
        const binary = join(tmp, "gofer_go_pipeline");
        const repro = `cd ${program.dir} && go build -o /tmp/gofer_go_pipeline && /tmp/gofer_go_pipeline`;
        await runCommand("go", ["build", "-v", "-o", binary], program.dir, repro, options);
        return await runCommand(binary, [], program.dir, repro, options);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    case "rust":
      return runCommand(
        "cargo",
        ["run", `--manifest-path=${program.manifest}`],
        options.cwd,
        `cargo run --manifest-path ${program.manifest}`,
        options,
      );
    case "node": {
      const entry = nodeEntry(program.dir);
      const loader = [".ts", ".mts", ".cts"].includes(extname(entry)) ? ["--import", tsxLoader(program.dir)] : [];
      return runCommand(
        options.execPath,
        [...loader, entry],
        program.dir,
        `cd ${program.dir} && node ${loader.length > 0 ? "--import tsx " : ""}${entry}`,
        options,
      );
    }
    default:
      return program.language satisfies never;
  }
}

function nodeEntry(dir: string): string {
  let main: unknown;
  try {
    main = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { main?: unknown }).main;
  } catch (error) {
    throw new CliError(`${join(dir, "package.json")} is not valid JSON: ${(error as Error).message}`, ExitCode.Usage);
  }
  if (typeof main === "string" && main !== "") {
    if (!existsSync(join(dir, main))) {
      throw new CliError(
        `${join(dir, "package.json")} names "main": ${JSON.stringify(main)}, which does not exist`,
        ExitCode.Usage,
      );
    }
    return main;
  }
  const found = ENTRY_NAMES.find((name) => existsSync(join(dir, name)));
  if (!found) {
    throw new CliError(`no pipeline program in ${dir}`, ExitCode.Usage, {
      hint: 'set "main" in package.json, or name the program pipeline.ts (or index.ts, main.ts)',
    });
  }
  return found;
}

/** tsx as a file URL: the program's own dependency first, else the one the CLI runs with. */
function tsxLoader(dir: string): string {
  try {
    return pathToFileURL(createRequire(join(dir, "package.json")).resolve("tsx")).href;
  } catch {
    try {
      return import.meta.resolve("tsx");
    } catch {
      throw new CliError(`running the TypeScript program in ${dir} needs tsx`, ExitCode.Failure, {
        hint: "npm install --save-dev tsx in that directory, or compile it and point package.json's main at the .js",
      });
    }
  }
}

function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  repro: string,
  options: RunProgramOptions,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const tail: string[] = [];
    let partial = "";
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        if (line.trim() !== "") options.onProgress(line.trim());
      }
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new CliError(
          error.code === "ENOENT"
            ? `cannot run "${command}": not found on PATH`
            : `cannot run "${command}": ${error.message}`,
          ExitCode.Failure,
          { hint: `the pipeline program is built with: ${repro}`, cause: error },
        ),
      );
    });
    child.once("close", (code, signal) => {
      if (partial !== "") tail.push(partial);
      if (code === 0) {
        resolve(new Uint8Array(Buffer.concat(stdout)));
        return;
      }
      const lines = tail.filter((l) => l.trim() !== "").slice(-TAIL_LINES);
      reject(
        new CliError(
          [
            `the pipeline program failed (${signal ? `signal ${signal}` : `exit code ${code}`}) running ${[command, ...args].join(" ")}`,
            ...(lines.length > 0
              ? ["its last output:", ...lines.map((l) => `  ${l}`)]
              : ["it printed nothing on stderr"]),
          ].join("\n"),
          ExitCode.Failure,
          { hint: `see all of it with: ${repro}` },
        ),
      );
    });
  });
}
