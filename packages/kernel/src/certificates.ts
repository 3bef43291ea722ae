// Self-signed certificates for trigger traffic. Gofer hands the PEM text to a trigger in GOFER_PLUGIN_SYSTEM_TLS_*,
// and then trusts exactly that certificate when dialling it (instead of the original's blanket skip-verify).
//
// The x509 library is loaded on first use: a trigger process only reads PEM text, and loading the library (with its
// ASN.1 schemas and dependency-injection container) would cost it ~10 MB of resident memory for nothing.
import { webcrypto } from "node:crypto";

type X509 = typeof import("@peculiar/x509");
let x509Library: Promise<X509> | undefined;

function loadX509(): Promise<X509> {
  x509Library ??= import("@peculiar/x509").then((x509) => {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  });
  return x509Library;
}

export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

export interface CertificateOptions {
  /** Subject alternative names: DNS names and IP addresses. */
  hosts?: string[];
  commonName?: string;
  validDays?: number;
  now?: Date;
}

const IP = /^(\d{1,3}\.){3}\d{1,3}$|:/;

/** Generates an ECDSA P-256 self-signed certificate (fast to make, accepted by Node's TLS and Go's). */
export async function generateCertificate(options: CertificateOptions = {}): Promise<CertificatePair> {
  const x509 = await loadX509();
  const hosts = options.hosts ?? ["localhost", "127.0.0.1", "::1"];
  const now = options.now ?? new Date();
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive serial
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString("hex"),
    name: `CN=${options.commonName ?? hosts[0] ?? "gofer"}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.validDays ?? 3650) * 86_400_000),
    signingAlgorithm: alg,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (IP.test(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h })),
      ),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
  return { certPem: cert.toString("pem"), keyPem };
}
