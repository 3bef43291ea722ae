// Structure rules read from the source: no two server folders import each other, directly or through a longer loop
// (type imports count: they tie the folders' designs together all the same), and no hand-written file is over 400
// lines. Each failure names what breaks the rule: the loop of folders with the files that close it, or the file.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const serverSrc = join(repo, "packages/server/src");

const MAX_LINES = 400;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.split(sep).includes("node_modules"))
    .map((name) => join(dir, name));
}

/** Every module specifier in the file: static imports and re-exports (type-only too), bare and dynamic imports. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1] as string);
  return found;
}

/** A server module's node in the graph: its folder under src, or the file itself for one at the top of src. */
function nodeOf(file: string): string {
  const parts = relative(serverSrc, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : (parts[0] as string);
}

type Graph = Map<string, Map<string, string[]>>;

/** node → node it imports → the files that do it. */
function serverGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of tsFiles(serverSrc)) {
    const from = nodeOf(file);
    for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const to = nodeOf(resolve(dirname(file), specifier).replace(/\.js$/, ".ts"));
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      const files = edges.get(to) ?? [];
      const name = relative(serverSrc, file);
      if (!files.includes(name)) edges.set(to, [...files, name]);
    }
  }
  return graph;
}

/** One loop per group of nodes that reach each other (Tarjan's strongly connected components), as a node path. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const next = (node: string) => [...(edges.get(node) ?? [])];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group = new Set<string>();
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      group.add(member);
      if (member === node) break;
    }
    if (group.size > 1) cycles.push(loopWithin(node, group, next));
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** A shortest path from start back to start inside the group (breadth first). */
function loopWithin(start: string, group: ReadonlySet<string>, next: (node: string) => string[]): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const to of next(node).filter((n) => group.has(n))) {
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0] as string) as string);
        return [...path, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start];
}

function describeLoop(loop: string[], graph: Graph): string {
  const steps = loop.slice(1).map((to, i) => {
    const from = loop[i] as string;
    return `  ${from} → ${to} (${(graph.get(from)?.get(to) ?? []).join(", ")})`;
  });
  return `${loop.join(" → ")}\n${steps.join("\n")}`;
}

describe("findCycles", () => {
  it("finds a direct and a longer loop, and nothing in a graph that only goes one way", () => {
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "a"]]);
    const longer = findCycles(
      new Map([
        ["a", ["b"]],
        ["b", ["c"]],
        ["c", ["a"]],
        ["d", ["a"]],
      ]),
    );
    expect(longer).toHaveLength(1);
    expect(new Set(longer[0])).toEqual(new Set(["a", "b", "c"]));
    expect(
      findCycles(
        new Map([
          ["a", ["b", "c"]],
          ["b", ["c"]],
        ]),
      ),
    ).toEqual([]);
  });

  it("reads type imports, re-exports and dynamic imports as imports", () => {
    const source = [
      'import type { A } from "../x/a.js";',
      "import {\n  B,\n} from '../y/b.js';",
      'export { C } from "../z/c.js";',
      'const d = await import("../w/d.js");',
      'import "../v/side-effect.js";',
    ].join("\n");
    expect(importSpecifiers(source).sort()).toEqual(
      ["../v/side-effect.js", "../w/d.js", "../x/a.js", "../y/b.js", "../z/c.js"].sort(),
    );
  });
});

describe("the source's structure", () => {
  it("has no loop between server folders", () => {
    const graph = serverGraph();
    const loops = findCycles(new Map([...graph].map(([node, edges]) => [node, [...edges.keys()]])));
    expect(loops.map((loop) => describeLoop(loop, graph))).toEqual([]);
  });

  it(`has no hand-written file over ${MAX_LINES} lines in packages/*/src or bench`, () => {
    const roots = [
      ...readdirSync(join(repo, "packages")).map((name) => join(repo, "packages", name, "src")),
      join(repo, "bench"),
    ];
    const tooLong: string[] = [];
    for (const root of roots) {
      let files: string[];
      try {
        files = tsFiles(root);
      } catch {
        continue; // a package without src
      }
      for (const file of files) {
        const text = readFileSync(file, "utf8");
        if (/^\/\/ Code generated .*DO NOT EDIT/.test(text)) continue;
        const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
        const name = relative(repo, file).split(sep).join("/");
        if (lines > MAX_LINES) tooLong.push(`${name}: ${lines} lines`);
      }
    }
    expect(tooLong).toEqual([]);
  });
});
