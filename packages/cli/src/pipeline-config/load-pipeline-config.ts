// `gofer pipeline create|update <path>` → the PipelineConfig to send. The path is a directory holding a pipeline
// program (detect-program.ts, run-program.ts), a .yaml/.yml/.json pipeline file (load-yaml.ts), or a .pb/.bin file
// holding PipelineConfig bytes (what a program would print).
import { readFileSync, statSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { PipelineConfig } from "@gofer/proto";
import { CliError, ExitCode, usageError } from "../exit-codes.js";
import type { Spinner } from "../output/spinner.js";
import { detectPipelineProgram } from "./detect-program.js";
import { parsePipelineYaml } from "./load-yaml.js";
import { runPipelineProgram } from "./run-program.js";

export interface LoadOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly execPath: string;
  readonly spinner: Spinner;
}

export async function loadPipelineConfig(path: string, options: LoadOptions): Promise<PipelineConfig> {
  const absolute = resolve(options.cwd, path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch {
    throw usageError(`${path} does not exist`, "give a pipeline program's directory or a .yaml/.json pipeline file");
  }
  if (isDirectory) {
    const program = detectPipelineProgram(absolute);
    const bytes = await options.spinner.during(`Building config in ${program.dir}`, () =>
      runPipelineProgram(program, {
        env: options.env,
        execPath: options.execPath,
        cwd: options.cwd,
        onProgress: (line) => options.spinner.update(`Building config: ${line}`),
      }),
    );
    return decodePipelineConfig(bytes, `the output of the program in ${program.dir}`);
  }
  const extension = extname(absolute).toLowerCase();
  if (extension === ".json") {
    const text = readFileSync(absolute, "utf8");
    checkJsonSyntax(text, path);
    // Valid JSON is valid YAML: the YAML reader then checks the fields, with positions.
    return parsePipelineYaml(text, path);
  }
  if (extension === ".yaml" || extension === ".yml") {
    return parsePipelineYaml(readFileSync(absolute, "utf8"), path);
  }
  if (extension === ".pb" || extension === ".bin") {
    return decodePipelineConfig(new Uint8Array(readFileSync(absolute)), basename(absolute));
  }
  throw usageError(
    `${path}: cannot tell what kind of pipeline this is from its extension "${extension}"`,
    "use a directory with a pipeline program, a .yaml/.yml/.json pipeline file, or a .pb/.bin PipelineConfig",
  );
}

/** A .json file is read as JSON, so a syntax error is reported as one (with line and column when V8 gives them). */
function checkJsonSyntax(text: string, fileName: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const where = position ? `${fileName}:${lineAndColumn(text, Number(position[1]))}` : fileName;
    const reason = message.replace(/ (in JSON )?at position \d+.*$/, "");
    throw usageError(
      `${where}: not valid JSON: ${reason}`,
      "a .json pipeline file holds one object with the fields of examples/yaml-pipeline/pipeline.yaml",
    );
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Bytes a pipeline program printed → PipelineConfig, failing clearly on anything that is not one. */
export function decodePipelineConfig(bytes: Uint8Array, what: string): PipelineConfig {
  const hint = "the program must write only the PipelineConfig bytes to stdout (the SDKs' Finish()); logs go to stderr";
  if (bytes.length === 0)
    throw new CliError(`${what} is empty: no PipelineConfig was printed`, ExitCode.Usage, { hint });
  let config: PipelineConfig;
  try {
    config = PipelineConfig.decode(bytes);
  } catch (error) {
    throw new CliError(`${what} is not a protobuf PipelineConfig: ${(error as Error).message}`, ExitCode.Usage, {
      hint,
    });
  }
  if (config.id === "") {
    throw new CliError(`${what} does not decode to a protobuf PipelineConfig with an id`, ExitCode.Usage, { hint });
  }
  return config;
}
