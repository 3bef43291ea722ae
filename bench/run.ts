// `pnpm bench [name…]`: runs every bench/*.bench.ts (or the named ones) in its own process, one after another, so
// one benchmark's heap and timers never skew the next. Each prints its own markdown table.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

if (files.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(", ")}; have: ${readdirSync(dir)
      .filter((f) => f.endsWith(".bench.ts"))
      .join(", ")}`,
  );
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  console.log(`## ${file}\n`);
  const result = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", join(dir, file)], { stdio: "inherit" });
  if (result.status !== 0) {
    failed += 1;
    console.error(`${file} exited with ${result.status ?? result.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
