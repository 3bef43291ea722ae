// The files that hold secrets are created readable by the server's user only, and the server warns at start about
// existing ones that others can read (private-files.ts).
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, test, vi } from "vitest";
import winston from "winston";
import { createServer, loadConfig } from "../src/index.js";
import { findWideModes } from "../src/private-files.js";
import { startTestServer } from "./server-harness.js";

const WAIT = { timeout: 30_000, interval: 100 };
const mode = (path: string) => statSync(path).mode & 0o777;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gofer-modes-"));
  dirs.push(dir);
  return dir;
}

describe("files are created private", () => {
  test("the database, its journal, the TLS key and certificate, and the task logs are 0600, their directories 0700", async () => {
    // A directory the server creates below the data directory, so its mode is the server's choice.
    const dir = tempDir();
    const data = join(dir, "data");
    const s = await startTestServer({
      dir: data,
      set: { "server.storage_path": join(data, "db", "gofer.db"), task_execution_logs_dir: join(data, "logs") },
    });
    try {
      await s.api.createPipeline({
        namespaceId: "default",
        pipelineConfig: {
          id: "modes",
          name: "modes",
          description: "",
          parallelism: 0n,
          tasks: [
            {
              task: {
                $case: "customTask",
                value: {
                  id: "hello",
                  description: "",
                  image: "gofer-task-test:latest",
                  registryAuth: undefined,
                  dependsOn: {},
                  variables: {},
                  entrypoint: [],
                  command: ["sh", "-c", "echo hello"],
                },
              },
            },
          ],
          triggers: [],
        },
      });
      const started = await s.api.startRun({
        namespaceId: "default",
        pipelineId: "modes",
        variables: {},
        initiator: undefined,
      });
      const id = started.run?.id ?? 0n;
      await vi.waitFor(async () => {
        const run = await s.api.getRun({ namespaceId: "default", pipelineId: "modes", id });
        expect(run.run?.ended).not.toBe(0n);
      }, WAIT);

      const db = join(data, "db");
      expect(mode(db)).toBe(0o700);
      for (const file of readdirSync(db)) {
        // The API's public certificate is mounted into extension containers, whose user may differ.
        const expected = file === "api-cert.pem" ? 0o644 : 0o600;
        expect([file, mode(join(db, file))]).toEqual([file, expected]);
      }
      expect(readdirSync(db)).toEqual(
        expect.arrayContaining(["gofer.db", "gofer.db-wal", "localhost-api.key", "localhost-api.crt", "api-cert.pem"]),
      );
      const runDir = join(data, "logs", "default", "modes", String(id));
      for (const path of [
        join(data, "logs"),
        join(data, "logs", "default"),
        join(data, "logs", "default", "modes"),
        runDir,
      ]) {
        expect([path, mode(path)]).toEqual([path, 0o700]);
      }
      expect(mode(join(runDir, "hello.log"))).toBe(0o600);
    } finally {
      await s.stop();
    }
  }, 60_000);
});

describe("existing files that others can read are reported", () => {
  test("findWideModes names the file, its mode and the fix; private and missing files pass", () => {
    const dir = tempDir();
    const wide = join(dir, "wide.db");
    const narrow = join(dir, "narrow.db");
    writeFileSync(wide, "");
    chmodSync(wide, 0o644);
    writeFileSync(narrow, "");
    chmodSync(narrow, 0o600);
    expect(
      findWideModes([
        { path: wide, what: "database" },
        { path: narrow, what: "database" },
        { path: join(dir, "missing"), what: "database" },
        { path: "/tmp", what: "task log directory" },
      ]),
    ).toEqual([`database ${wide} has mode 0644; expected 0600 (chmod 0600 ${wide})`]);
  });

  test("the server warns at start about a database others can read, and still starts", async () => {
    const dir = tempDir();
    const storagePath = join(dir, "gofer.db");
    writeFileSync(storagePath, "");
    chmodSync(storagePath, 0o644);
    const lines: string[] = [];
    const logger = winston.createLogger({
      level: "warn",
      format: winston.format.printf((info) => String(info.message)),
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write(chunk, _encoding, done) {
              lines.push(String(chunk).trim());
              done();
            },
          }),
        }),
      ],
    });
    const config = loadConfig({
      env: {},
      flags: {
        "server.host": "127.0.0.1:0",
        "server.storage_path": storagePath,
        "scheduler.engine": "process",
        "development.bypass_auth": true,
        "development.use_localhost_tls": true,
        "development.default_encryption": true,
        "triggers.install_base_triggers": false,
        task_execution_logs_dir: join(dir, "logs"),
        log_level: "warn",
      },
    });
    const server = await createServer(config, { logger });
    await server.stop("test finished");
    expect(lines).toContain(
      `others can read a private file: database ${storagePath} has mode 0644; expected 0600 (chmod 0600 ${storagePath})`,
    );
  }, 30_000);
});
