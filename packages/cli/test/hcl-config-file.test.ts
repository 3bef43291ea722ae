import { expect, test } from "vitest";
import { parseHclSubset } from "../src/hcl-config-file.js";

test("reads the flat attributes v0.4's CLI wrote, with comments and escapes", () => {
  const text = [
    "# gofer cli config",
    'host      = "localhost:8080" // trailing comment',
    'token     = "abc#def"',
    "detail    = false",
    'namespace = "say \\"hi\\""',
    "",
  ].join("\n");
  expect(parseHclSubset(text, "gofer.hcl")).toEqual({
    host: "localhost:8080",
    token: "abc#def",
    detail: false,
    namespace: 'say "hi"',
  });
});

test("anything beyond that names the line and how to convert", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, not a JavaScript one.
  expect(() => parseHclSubset('host = "${var.host}"', "x.hcl")).toThrow(
    /^x\.hcl:1: template interpolation is not supported: only flat `key = "value"` lines are read from \.hcl files; rename the file to \.toml/,
  );
  expect(() => parseHclSubset('a = "1"\na = "2"', "x.hcl")).toThrow('x.hcl:2: "a" is set twice');
  expect(() => parseHclSubset("list = [1, 2]", "x.hcl")).toThrow(/^x\.hcl:1: cannot read the value \[1, 2\]/);
});
