import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

// One project per package; each package keeps its tests in test/.
const packages = [
  "proto",
  "trigger-sdk",
  "pipeline-sdk",
  "triggers-interval",
  "triggers-cron",
  "triggers-github",
  "common-tasks-debug",
  "server",
  "cli",
].filter((name) => existsSync(`packages/${name}/package.json`));

export default defineConfig({
  test: {
    globalSetup: ["./scripts/test-global-setup.ts"],
    projects: packages.map((name) => ({
      test: {
        name,
        root: `packages/${name}`,
        include: ["test/**/*.test.ts"],
        // Whole-server and conformance tests start real processes; they wait for events, never for fixed time.
        testTimeout: 60_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
