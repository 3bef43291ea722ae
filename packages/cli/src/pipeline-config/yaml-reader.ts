// Node-by-node reading of a YAML document with positions, for pipeline files (load-yaml.ts): each read checks the
// node's shape, and a mistake is collected with file:line:column and its field path, not thrown.

import { closestName } from "@gofer/kernel/closest-name";
import { isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export interface PlacedProblem {
  /** Where in the text (offset), for ordering; undefined when the node has none. */
  readonly offset: number | undefined;
  readonly text: string;
}

export class YamlReader {
  readonly problems: PlacedProblem[] = [];
  /** Field paths that already have a problem: a later check of the same field adds nothing. */
  readonly reportedPaths = new Set<string>();

  constructor(
    private readonly fileName: string,
    private readonly lines: LineCounter,
  ) {}

  /** A problem at node, shown as `<file:line:col>: <label>: <message>` (no label: `<file:line:col>: <message>`). */
  report(node: Node | null | undefined, label: string, message: string): void {
    const offset = node?.range?.[0];
    const pos =
      offset === undefined
        ? this.fileName
        : `${this.fileName}:${this.lines.linePos(offset).line}:${this.lines.linePos(offset).col}`;
    this.problems.push({ offset, text: `${pos}: ${label ? `${label}: ` : ""}${message}` });
  }

  /** A problem with the value at path. */
  problem(node: Node | null | undefined, path: string, message: string): void {
    this.reportedPaths.add(path);
    this.report(node, path, message);
  }

  /** The entries of a mapping, after checking its keys against `allowed`. */
  map(node: Node | null | undefined, path: string, allowed: readonly string[]): Map<string, Node | null> {
    const entries = new Map<string, Node | null>();
    if (!isMap(node)) {
      this.problem(node, path, `must be a mapping of ${allowed.join(", ")}`);
      return entries;
    }
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : "";
      if (!allowed.includes(key)) {
        const near = closestName(key, allowed);
        this.problem(
          keyNode,
          path,
          `unknown field "${key}"${near ? `; did you mean "${near}"?` : `; known fields: ${allowed.join(", ")}`}`,
        );
        continue;
      }
      entries.set(key, (pair.value as Node | null) ?? null);
    }
    return entries;
  }

  string(node: Node | null | undefined, path: string): string | undefined {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node) || typeof node.value !== "string") {
      this.problem(node, path, "must be a string");
      return undefined;
    }
    return node.value;
  }

  requiredString(node: Node | null | undefined, path: string, parent: Node | null | undefined): string {
    const value = this.string(node, path);
    if (value === undefined || value.trim() === "") {
      if (node === undefined || node === null || value !== undefined) this.problem(node ?? parent, path, "is required");
      return "";
    }
    return value;
  }

  /** A mapping of scalars; numbers and booleans become their text (PORT: 8080 → "8080"). */
  stringMap(node: Node | null | undefined, path: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (node === undefined || node === null) return out;
    if (!isMap(node)) {
      this.problem(node, path, "must be a mapping of names to values");
      return out;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const value = pair.value as Node | null;
      if (!isScalar(value) || value.value === null || typeof value.value === "object") {
        this.problem(value ?? (pair.key as Node), `${path}.${key}`, "must be a string, number or boolean");
        continue;
      }
      out[key] = String(value.value);
    }
    return out;
  }

  stringList(node: Node | null | undefined, path: string, example: string): string[] {
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) {
      this.problem(node, path, `must be a list of strings, e.g. ${example}`);
      return [];
    }
    return node.items.map((item, i) => {
      if (isScalar(item) && (typeof item.value === "string" || typeof item.value === "number"))
        return String(item.value);
      this.problem(item as Node, `${path}[${i}]`, "must be a string");
      return "";
    });
  }

  /** The problems in the order of the text. */
  sorted(): string[] {
    return this.problems
      .map((problem, index) => ({ ...problem, index }))
      .sort((a, b) => (a.offset ?? -1) - (b.offset ?? -1) || a.index - b.index)
      .map((problem) => problem.text);
  }
}
