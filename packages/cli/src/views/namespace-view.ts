// Namespaces in JSON and for people.
import type { Namespace } from "@gofer/proto";
import { truncate } from "../output/humanize.js";
import type { Output } from "../output/output.js";
import { renderTable } from "../output/table.js";
import { int64 } from "./int64.js";
import { timeText } from "./time-text.js";

export function namespaceJson(namespace: Namespace) {
  return {
    id: namespace.id,
    name: namespace.name,
    description: namespace.description,
    created: int64(namespace.created),
    modified: int64(namespace.modified),
  };
}

export function namespaceTable(namespaces: readonly Namespace[], output: Output): string {
  if (namespaces.length === 0) return "No namespaces found.";
  const c = output.colors;
  return renderTable(
    ["ID", "Name", "Description", "Created"],
    namespaces.map((n) => [
      c.blue(n.id),
      n.name,
      output.detail ? n.description : truncate(n.description || "-", 60),
      timeText(n.created, output),
    ]),
    c,
  );
}

export function namespaceDetails(namespace: Namespace, output: Output): string {
  const c = output.colors;
  return [
    `Namespace ${c.blue(namespace.id)} :: ${namespace.name}`,
    ...(namespace.description ? ["", `  ${namespace.description}`] : []),
    "",
    `  Created: ${timeText(namespace.created, output)}`,
    `  Modified: ${timeText(namespace.modified, output)}`,
  ].join("\n");
}
