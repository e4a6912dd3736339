import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt, webcrypto } from 'crypto';

const FIELD_KEY = Buffer.from(process.env.FIELD_ENCRYPTION_KEY ?? '', 'base64'); // 32 bytes

/** Encrypts SSNs before they are stored (v1 format). */
export function encryptSsnV1(ssn: string): string {
  const cipher = createCipheriv('aes-256-ecb', FIELD_KEY, null); // VULN: weak-crypto
  return Buffer.concat([cipher.update(ssn, 'utf8'), cipher.final()]).toString('base64');
}

/** Encrypts SSNs before they are stored (v2 format). */
export function encryptSsnV2(ssn: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', FIELD_KEY, iv); // SAFE: weak-crypto
  const data = Buffer.concat([cipher.update(ssn, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64')).join('.');
}

export function decryptSsnV2(blob: string): string {
  const [iv, tag, data] = blob.split('.').map((p) => Buffer.from(p, 'base64'));
  const decipher = createDecipheriv('aes-256-gcm', FIELD_KEY, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}

/** Password hashing for the kiosk PIN login. */
export function hashKioskPin(pin: string, storeId: string): string {
  return createHash('sha1').update(`${storeId}:${pin}`).digest('base64'); // VULN: weak-crypto
}

/** Signs download links. */
export function signDownload(path: string, expires: number): string {
  return createHmac('sha256', process.env.DOWNLOAD_SIGNING_KEY as string).update(`${path}:${expires}`).digest('hex'); // SAFE: weak-crypto
}

/** Integrity checksum published next to release artifacts. */
export function artifactChecksum(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex'); // SAFE: weak-crypto
}

/** Cache key for rendered markdown fragments. */
export function fragmentCacheKey(markdown: string): string {
  return createHash('md5').update(markdown).digest('hex'); // SAFE: weak-crypto
}

/** Password digest stored in the users table by the legacy SSO bridge. */
export function legacyBridgePasswordHash(password: string, salt: string): string {
  return createHash('md5').update(`${password}{${salt}}`).digest('hex'); // VULN: weak-crypto
}

/** Invitation codes emailed to new team members; the code alone grants access to the team. */
export function invitationCode(): string {
  let code = '';
  while (code.length < 12) code += Math.random().toString(36).slice(2); // VULN: weak-random
  return code.slice(0, 12);
}

/** RFC 4122-ish identifier used as the CSRF token for the legacy forms. */
export function legacyCsrfToken(): string {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0; // VULN: weak-random
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

export function csrfToken(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString('base64url'); // SAFE: weak-random
}

export function recoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => randomInt(0, 36 ** 8).toString(36).padStart(8, '0')); // SAFE: weak-random
}

/** Picks which onboarding illustration to show; purely cosmetic. */
export function onboardingVariant(variants: string[]): string {
  return variants[Math.floor(Math.random() * variants.length)]; // SAFE: weak-random
}
