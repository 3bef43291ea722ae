// `pnpm bench [name…] [-- --option value…]`: runs every bench/*.bench.ts (or the named ones) in its own process, one
// after another, so one benchmark's heap and timers never skew the next. Each prints its own markdown table.
// Everything from the first `--option` on is passed to each benchmark run, e.g.
//   pnpm bench watch-throughput -- --compare "/opt/gofer-v0.4.1/interval/trigger" --rounds 5
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((arg) => arg !== "--");
const firstOption = args.findIndex((arg) => arg.startsWith("--"));
const wanted = firstOption === -1 ? args : args.slice(0, firstOption);
const passed = firstOption === -1 ? [] : args.slice(firstOption);
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
  const result = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", join(dir, file), ...passed], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed += 1;
    console.error(`${file} exited with ${result.status ?? result.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
