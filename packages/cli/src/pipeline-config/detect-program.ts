// Which kind of pipeline program a directory holds, by its manifest: go.mod (Go), Cargo.toml (Rust), as v0.4.1,
// and package.json (TypeScript/JavaScript, new). The directory itself is checked first; like v0.4.1 the search then
// walks down into subdirectories (skipping dependency and build folders) and takes the first manifest found.
import { type Dirent, readdirSync } from "node:fs";
import { join } from "node:path";
import { usageError } from "../exit-codes.js";

export type ProgramLanguage = "go" | "rust" | "node";

export interface PipelineProgram {
  readonly language: ProgramLanguage;
  /** The directory holding the manifest; the program runs there. */
  readonly dir: string;
  readonly manifest: string;
}

const MANIFESTS: ReadonlyArray<[string, ProgramLanguage]> = [
  ["go.mod", "go"],
  ["Cargo.toml", "rust"],
  ["package.json", "node"],
];
const SKIPPED_DIRS = new Set(["node_modules", "target", "vendor", ".git", "dist"]);

export function detectPipelineProgram(dir: string): PipelineProgram {
  const found = search(dir);
  if (!found) {
    throw usageError(
      `${dir} holds no pipeline program: no go.mod, Cargo.toml or package.json found`,
      "give a directory with a Go, Rust or TypeScript pipeline program, or a .yaml/.json pipeline file",
    );
  }
  return found;
}

function search(dir: string): PipelineProgram | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const [manifest, language] of MANIFESTS) {
    if (entries.some((e) => e.isFile() && e.name === manifest)) return { language, dir, manifest: join(dir, manifest) };
  }
  for (const entry of entries
    .filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const found = search(join(dir, entry.name));
    if (found) return found;
  }
  return undefined;
}
