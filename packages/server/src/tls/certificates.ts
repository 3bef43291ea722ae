// Certificates the server uses. The API serves the configured certificate, or (dev mode / use_localhost_tls) one
// generated for localhost at start. Trigger traffic uses the configured trigger certificate, or one generated at
// start; either way the server trusts exactly that certificate when it dials a trigger (spec §2.3 [REC]).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type CertificatePair, generateCertificate } from "@gofer/kernel";
import type { Config } from "../config/config.js";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../private-files.js";

async function readPair(what: string, certPath: string, keyPath: string): Promise<CertificatePair> {
  const read = (path: string, key: string) =>
    readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${what}: cannot read ${key} "${path}": ${error.code ?? error.message}`);
    });
  return { certPem: await read(certPath, "tls_cert_path"), keyPem: await read(keyPath, "tls_key_path") };
}

/** null = plaintext API (server.use_tls = false). */
export async function loadApiTls(config: Config): Promise<CertificatePair | null> {
  if (!config.server.useTls) return null;
  const { tlsCertPath, tlsKeyPath } = config.server;
  if (tlsCertPath && tlsKeyPath && !config.development.useLocalhostTls) {
    return readPair("[server]", tlsCertPath, tlsKeyPath);
  }
  if (config.development.useLocalhostTls || config.devMode) return localhostPair(config);
  throw new Error(
    "[server] tls_cert_path and tls_key_path are required when use_tls is on (or run with --dev, or set [development] use_localhost_tls = true)",
  );
}

export async function loadTriggerTls(config: Config): Promise<CertificatePair> {
  const { tlsCertPath, tlsKeyPath } = config.triggers;
  if (tlsCertPath && tlsKeyPath) return readPair("[triggers]", tlsCertPath, tlsKeyPath);
  // Generated per start: triggers get it with their env and are restarted with the server anyway.
  return generateCertificate({ hosts: ["localhost", "127.0.0.1", "::1"] });
}

/**
 * The generated localhost certificate is kept next to the database, so it survives restarts and a client on the same
 * machine can trust exactly it (`gofer` reads it from there for a localhost host).
 */
export function localhostCertPaths(config: Config): { certPath: string; keyPath: string } {
  const dir = dirname(config.server.storagePath);
  return { certPath: join(dir, "localhost-api.crt"), keyPath: join(dir, "localhost-api.key") };
}

async function localhostPair(config: Config): Promise<CertificatePair> {
  const { certPath, keyPath } = localhostCertPaths(config);
  try {
    return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
  } catch {
    const pair = await generateCertificate({ hosts: ["localhost", "127.0.0.1", "::1"] });
    await mkdir(dirname(certPath), { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFile(keyPath, pair.keyPem, { mode: PRIVATE_FILE_MODE });
    await writeFile(certPath, pair.certPem, { mode: PRIVATE_FILE_MODE });
    return pair;
  }
}
