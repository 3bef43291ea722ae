// AES-256-GCM for secret values at rest (node:crypto).
//
// Stored layout: version(1) ‖ nonce(12) ‖ ciphertext ‖ tag(16), with a fresh random nonce per write. Unlike the
// original (spec §9.1: nonce ‖ ciphertext ‖ tag, no associated data) the value is bound to where it is stored — the
// associated data names its kind, namespace, pipeline and key — so a value copied into another row of the file fails
// to decrypt instead of being served for the wrong secret. The version byte leaves room for a later key rotation.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SecretCipher {
  private readonly key: Buffer;

  /** @param encryptionKey secret_store.sqlite.encryption_key: 32 bytes, used as the AES-256 key itself. */
  constructor(encryptionKey: string) {
    const key = Buffer.from(encryptionKey, "utf8");
    if (key.length !== 32) {
      throw new Error(`secret_store.sqlite.encryption_key must be exactly 32 bytes (AES-256); got ${key.length} bytes`);
    }
    this.key = key;
  }

  encrypt(plaintext: string, associatedData: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.from(associatedData, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]);
  }

  /** @throws Error (never naming the value) when the key, the associated data or the bytes do not match. */
  decrypt(stored: Buffer, associatedData: string): string {
    if (stored.length < 1 + NONCE_BYTES + TAG_BYTES || stored[0] !== VERSION) {
      throw new Error("stored secret is not in a format this server can read");
    }
    const nonce = stored.subarray(1, 1 + NONCE_BYTES);
    const tag = stored.subarray(stored.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.key, nonce);
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(stored.subarray(1 + NONCE_BYTES, stored.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new Error("stored secret could not be decrypted (wrong encryption key or damaged value)");
    }
  }
}
