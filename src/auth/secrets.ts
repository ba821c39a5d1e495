// Keys derived from the configured secret: one for signing access tokens, one for sealing users' LLM keys.
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type webcrypto,
} from 'node:crypto';

export interface AuthSecrets {
  /**
   * HS256 key for access tokens and signed URLs, as a WebCrypto key made once: jose 6 turns a KeyObject
   * or raw bytes back into a CryptoKey on every sign and verify (~26 µs per call: bench/README.md
   * findings, "file.list step costs").
   */
  jwtKey: webcrypto.CryptoKey;
  /** AES-256-GCM key for secrets stored at rest (users' LLM API keys). */
  sealKey: Buffer;
}

/** Separate keys per purpose (HKDF), so a leak of one use never opens the other. */
export function deriveAuthSecrets(secret: string): AuthSecrets {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'docrpc', info, 32));
  const jwtKey = createSecretKey(derive('access-token v1')).toCryptoKey(
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  return { jwtKey, sealKey: derive('sealed-secret v1') };
}

/** AES-256-GCM: "v1.<iv>.<tag>.<ciphertext>", base64url parts. */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function unseal(key: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unknown sealed-secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
