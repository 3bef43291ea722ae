// A throwaway Postgres server for tests, from the binaries installed on the machine (Debian's postgresql-NN): initdb
// into a temp directory, pg_ctl start on a free loopback port, stopped and removed at the end. Postgres refuses to
// run as root, so as root it runs as the `postgres` OS user (which the Debian package creates).
//
// Each test gets a database of its own, created from a template that was migrated once when the cluster started.
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { openPostgresDatabase } from "../src/storage/postgres-database.js";

const run = promisify(execFile);

export const POSTGRES_HINT =
  "install PostgreSQL to run them (as root: apt-get install -y postgresql-15; the server need not be running)";

const TEMPLATE = "gofer_migrated";

export type PostgresBinaries = { readonly binDir: string } | { readonly missing: string };

/** The newest installed Postgres's bin directory (/usr/lib/postgresql/NN/bin), or why there is none. */
export function findPostgresBinaries(): PostgresBinaries {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) return { missing: `no ${root}/<version>/bin/initdb` };
  if (process.getuid?.() === 0 && !existsSync("/usr/sbin/runuser")) {
    return { missing: "running as root, and no runuser to start Postgres as the postgres user" };
  }
  return { binDir: join(root, newest, "bin") };
}

export interface PostgresCluster {
  /** A fresh database, migrated unless `empty`; its URL. */
  createDatabase(options?: { readonly empty?: boolean }): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** Stops the server and removes its files; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startPostgresCluster(binDir: string): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), "gofer-postgres-"));
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? await postgresUserIds() : undefined;
  if (pgUser) chownSync(dir, pgUser.uid, pgUser.gid);
  const tool = (name: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(binDir, name), ...args]) : run(join(binDir, name), args);
  const data = join(dir, "data");
  // An ICU locale that sorts "a" before "B", as a server set up for people does, so tests see that the schema
  // keeps sqlite's byte order anyway (migrations/column-types.ts).
  // (ICU as a cluster's default came with Postgres 15.)
  const version = Number(/postgresql\/(\d+)\//.exec(binDir)?.[1] ?? 0);
  const locale = version >= 15 ? ["--locale-provider=icu", "--icu-locale=en-US"] : [];
  await tool("initdb", ["-D", data, "-A", "trust", "-U", "gofer", "-E", "UTF8", "--no-sync", ...locale]);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await tool("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  // The port was free a moment ago; another process may take it before Postgres binds it, so try a few.
  let port = 0;
  for (let attempt = 1; port === 0; attempt += 1) {
    const candidate = await freePort();
    // Durability is of no use to a throwaway cluster; turning it off makes each test's CREATE DATABASE cheap.
    const settings = [`-p ${candidate}`, "-c listen_addresses=127.0.0.1", `-c unix_socket_directories=${dir}`];
    settings.push("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off");
    try {
      await tool("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", settings.join(" "), "-w", "start"]);
      port = candidate;
    } catch (error) {
      if (attempt < 3) continue;
      const logPath = join(dir, "server.log");
      const log = existsSync(logPath) ? readFileSync(logPath, "utf8").slice(-2000) : "(no server log)";
      await stop();
      throw new Error(`Postgres did not start (attempt ${attempt} of 3): ${log}`, { cause: error });
    }
  }
  const urlOf = (database: string) => `postgres://gofer@127.0.0.1:${port}/${database}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: urlOf("postgres") });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    await admin(`create database ${TEMPLATE}`);
    await (await openPostgresDatabase(urlOf(TEMPLATE))).close();
  } catch (error) {
    await stop();
    throw error;
  }
  let databases = 0;
  return {
    async createDatabase(options = {}) {
      databases += 1;
      const name = `test_${databases}`;
      await admin(`create database ${name} template ${options.empty ? "template0" : TEMPLATE}`);
      return urlOf(name);
    },
    async dropDatabase(url) {
      await admin(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
    },
    stop,
  };
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
