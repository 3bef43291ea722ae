import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// One project per package; each package keeps its tests in test/.
const packages = [
  "proto",
  "kernel",
  "trigger-sdk",
  "pipeline-sdk",
  "triggers-interval",
  "triggers-cron",
  "triggers-github",
  "common-tasks-debug",
  "server",
  "cli",
].filter((name) => existsSync(`packages/${name}/package.json`));

// Most of the suite's time is spent waiting on other processes (servers, triggers, task processes, the Docker daemon),
// not computing, so it runs more files at once than there are cores; vitest's default (cores − 1) would run the whole
// suite one file at a time on a 2-core machine. --maxWorkers (or VITEST_MAX_WORKERS) overrides it.
const workers = availableParallelism() + 2;

// How long the slowest files take (ms, measured on 2 cores), for a machine that has no vitest results cache yet (CI).
// Only the order matters: the long ones start first, so none of them is left running alone at the end.
const SLOW_FILES_MS: Record<string, number> = {
  "trigger-sdk:packages/trigger-sdk/test/conformance-selftest.test.ts": 20_000,
  "triggers-interval:packages/triggers-interval/test/conformance.test.ts": 18_000,
  "triggers-cron:packages/triggers-cron/test/conformance.test.ts": 17_000,
  "cli:packages/cli/test/trigger-commands.test.ts": 7_500,
  "server:packages/server/test/trigger-runtime.test.ts": 7_000,
  "server:packages/server/test/docker-task-runs.test.ts": 6_000,
  "server:packages/server/test/server-runs.test.ts": 6_000,
  "server:packages/server/test/trigger-restart.test.ts": 6_000,
  "server:packages/server/test/docker-trigger-restart.test.ts": 6_000,
  "cli:packages/cli/test/pipeline-create.test.ts": 5_500,
  "server:packages/server/test/trigger-uninstall.test.ts": 5_000,
  "server:packages/server/test/extension-shim.test.ts": 5_000,
  "cli:packages/cli/test/run-logs.test.ts": 4_000,
};

/**
 * Longest first, across all projects (vitest's own order runs the projects one after another, so the conformance
 * suites came last): by the duration vitest recorded in its results cache, else the table above, else the file size.
 */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const key = (spec: TestSpecification) => `${spec.project.name}:${relative(root, spec.moduleId)}`;
    const expectedMs = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(key(spec))?.duration ?? SLOW_FILES_MS[key(spec)] ?? 0;
    const size = (spec: TestSpecification) => this.ctx.cache.getFileStats(key(spec))?.size ?? 0;
    return [...files].sort((a, b) => expectedMs(b) - expectedMs(a) || size(b) - size(a));
  }
}

// Files that need a process of their own (process.chdir(), unavailable in worker threads): run in a forked process,
// as a project of their own.
const OWN_PROCESS_FILES: Record<string, string[]> = {
  server: ["test/docker-dev-server-paths.test.ts"],
};

// Fault tests that restart a Docker daemon (a private one they start): kept out of the default projects and run
// alone, in a process of their own, by `pnpm test:docker-restart` (.ci/run runs it after `pnpm test`).
const DOCKER_RESTART_FILES = "test/**/*.fault-docker-restart.test.ts";

export default defineConfig({
  test: {
    globalSetup: ["./scripts/test-global-setup.ts"],
    maxWorkers: workers,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      ...Object.entries(OWN_PROCESS_FILES).map(([name, include]) => ({
        test: {
          name: `${name} (own process)`,
          root: `packages/${name}`,
          include,
          pool: "forks" as const,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      })),
      {
        test: {
          name: "server (docker restart)",
          root: "packages/server",
          include: [DOCKER_RESTART_FILES],
          pool: "forks" as const,
          testTimeout: 400_000,
          hookTimeout: 400_000,
        },
      },
      ...packages.map((name) => ({
        test: {
          name,
          root: `packages/${name}`,
          include: ["test/**/*.test.ts"],
          exclude: [...(OWN_PROCESS_FILES[name] ?? []), DOCKER_RESTART_FILES],
          // Test files share worker threads and the modules they import (the server, grpc-js, kysely…): importing them
          // afresh in a new process for every file cost about as much CPU as the fast tests themselves. Safe because a
          // file leaves nothing behind: no module-level state in the sources (STYLE.md), no vi.mock, and a file that
          // sets process.env restores it. (In a worker thread process.chdir() is unavailable; signals reach the process.)
          pool: "threads",
          isolate: false,
          // Whole-server and conformance tests start real processes; they wait for events, never for fixed time.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      })),
    ],
  },
});
