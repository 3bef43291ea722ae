// Token details (never the token itself, which only create/bootstrap print) in JSON and for people.
import { type Token, token_KindToJSON } from "@gofer/proto";
import type { Output } from "../output/output.js";
import { stateLabel } from "../output/state-label.js";
import { renderTable } from "../output/table.js";
import { int64 } from "./int64.js";
import { timeText } from "./time-text.js";

export function tokenJson(token: Token) {
  return {
    created: int64(token.created),
    kind: token_KindToJSON(token.kind),
    namespaces: [...token.namespaces],
    metadata: { ...token.metadata },
    expires: int64(token.expires),
    disabled: token.disabled,
  };
}

function metadataText(metadata: Readonly<Record<string, string>>): string {
  const entries = Object.entries(metadata);
  return entries.length === 0 ? "-" : entries.map(([k, v]) => `${k}:${v}`).join(", ");
}

export function tokenTable(tokens: readonly Token[], output: Output): string {
  if (tokens.length === 0) return "No tokens found.";
  const c = output.colors;
  return renderTable(
    ["Kind", "Namespaces", "Metadata", "Created", "Expires", "State"],
    tokens.map((t) => [
      token_KindToJSON(t.kind).toLowerCase(),
      t.namespaces.join(", ") || "-",
      metadataText(t.metadata),
      timeText(t.created, output),
      timeText(t.expires, output),
      stateLabel(t.disabled ? "DISABLED" : "ENABLED", c),
    ]),
    c,
  );
}

export function tokenDetails(token: Token, output: Output): string {
  const c = output.colors;
  return [
    `Token :: ${token_KindToJSON(token.kind).toLowerCase()} :: ${stateLabel(token.disabled ? "DISABLED" : "ENABLED", c)}`,
    "",
    `  Namespaces: ${token.namespaces.join(", ") || "-"}`,
    `  Metadata: ${metadataText(token.metadata)}`,
    `  Created: ${timeText(token.created, output)}`,
    `  Expires: ${timeText(token.expires, output)}`,
  ].join("\n");
}
