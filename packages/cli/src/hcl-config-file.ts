// Reads the v0.4 CLI config file `~/.gofer.hcl`. That file was written by the original CLI (gohcl from a flat
// struct), so it only ever holds top-level attributes: `host = "localhost:8080"`, `detail = false`. No maintained
// HCL parser exists on npm, so this reads exactly that subset — strings, booleans, numbers, `#`/`//` comments — and
// refuses anything else (blocks, lists, heredocs, interpolation) with the line number and how to convert.

export type HclValue = string | boolean | number;

export class HclSubsetError extends Error {
  override name = "HclSubsetError";
}

const CONVERT_HINT =
  'only flat `key = "value"` lines are read from .hcl files; rename the file to .toml and write it as TOML ' +
  '(the same lines are valid TOML), e.g. host = "gofer.example.com:443"';

export function parseHclSubset(text: string, fileName: string): Record<string, HclValue> {
  const values: Record<string, HclValue> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const where = `${fileName}:${index + 1}`;
    const line = stripComment(raw, where).trim();
    if (line === "") return;
    const match = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.+)$/.exec(line);
    if (!match) throw new HclSubsetError(`${where}: cannot read ${JSON.stringify(raw.trim())}: ${CONVERT_HINT}`);
    const [, key = "", valueText = ""] = match;
    if (Object.hasOwn(values, key)) throw new HclSubsetError(`${where}: "${key}" is set twice`);
    values[key] = parseValue(valueText.trim(), where);
  });
  return values;
}

function parseValue(text: string, where: string): HclValue {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) {
    const body = text.slice(1, -1);
    if (body.includes("${") || body.includes("%{")) {
      throw new HclSubsetError(`${where}: template interpolation is not supported: ${CONVERT_HINT}`);
    }
    let out = "";
    for (let i = 0; i < body.length; i++) {
      const c = body[i] as string;
      if (c === '"') throw new HclSubsetError(`${where}: unescaped '"' inside a string`);
      if (c !== "\\") {
        out += c;
        continue;
      }
      const next = body[++i];
      const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
      if (next === undefined || escapes[next] === undefined) {
        throw new HclSubsetError(`${where}: unsupported escape "\\${next ?? ""}" in a string`);
      }
      out += escapes[next];
    }
    return out;
  }
  throw new HclSubsetError(`${where}: cannot read the value ${text}: ${CONVERT_HINT}`);
}

/** The line without a trailing `#` or `//` comment (one outside a string). */
function stripComment(line: string, where: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\" && inString) {
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (!inString && (c === "#" || (c === "/" && line[i + 1] === "/"))) return line.slice(0, i);
    if (!inString && c === "/" && line[i + 1] === "*") {
      throw new HclSubsetError(`${where}: block comments are not supported: ${CONVERT_HINT}`);
    }
  }
  return line;
}
