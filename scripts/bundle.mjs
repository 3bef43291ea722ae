// Bundles an entry point into one ESM file with esbuild: `node scripts/bundle.mjs <entry.ts> <out.mjs>`. Used for
// the trigger binaries and the gofer CLI (fast start, and the one file a trigger image needs). Native addons stay
// external.
import { build } from "esbuild";

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error("usage: node scripts/bundle.mjs <entry.ts> <out.mjs>");
  process.exit(2);
}
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: false,
  sourcemap: false,
  legalComments: "none",
  // ssh2 (dockerode's, for ssh:// daemons) is bundled: its native parts are optional and it falls back without them.
  external: ["better-sqlite3", "*.node", "cpu-features"],
  // ESM output still runs CommonJS dependencies that expect these names.
  banner: {
    js: [
      'import { createRequire as __goferCreateRequire } from "node:module";',
      'import { fileURLToPath as __goferFileURLToPath } from "node:url";',
      'import { dirname as __goferDirname } from "node:path";',
      "const require = __goferCreateRequire(import.meta.url);",
      "const __filename = __goferFileURLToPath(import.meta.url);",
      "const __dirname = __goferDirname(__filename);",
    ].join("\n"),
  },
  logLevel: "warning",
});
console.log(`bundled ${entry} -> ${outfile}`);
