// Compiles workspace packages to JavaScript with .d.ts for packing: `node scripts/build-dist.mjs <package dir>...`,
// in order (a package after the ones it imports). Each directory's tsconfig.build.json emits src/ into dist/, which
// is emptied first so that no file of a deleted source is packed. In the workspace the packages export their
// TypeScript sources; only the packed package.json points at dist/ (publishConfig).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error("usage: node scripts/build-dist.mjs <package dir>...");
  process.exit(2);
}
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
for (const dir of dirs.map((d) => resolve(d))) {
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.build.json")], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build-dist: tsc failed in ${dir}`);
    process.exit(1);
  }
  console.log(`built ${dir}/dist`);
}
