// Generates packages/proto/src/gen from protos/ with ts-proto and the protoc binary shipped by the npm `protoc`
// package. The output is committed; CI runs this and fails on any diff.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const protocDir = dirname(require.resolve("protoc/package.json"));
const protoc = join(protocDir, "protoc.cjs");
const plugin = join(root, "node_modules", ".bin", "protoc-gen-ts_proto");
const out = join(root, "packages", "proto", "src", "gen");

const options = [
  "outputServices=grpc-js",
  "env=node",
  "esModuleInterop=true",
  "importSuffix=.js",
  "forceLong=bigint",
  "oneof=unions-value",
  "useExactTypes=false",
].join(",");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const protos = readdirSync(join(root, "protos"))
  .filter((f) => f.endsWith(".proto"))
  .sort();
execFileSync(
  process.execPath,
  [
    protoc,
    `--plugin=protoc-gen-ts_proto=${plugin}`,
    `--ts_proto_out=${out}`,
    `--ts_proto_opt=${options}`,
    "-I",
    join(root, "protos"),
    ...protos,
  ],
  { stdio: "inherit" },
);
console.log(`generated ${protos.length} files into ${out}`);
