// Names and sealed values for one upstream key's part of the store. Both come from the key
// through HKDF: names are HMAC-SHA256 of what they stand for (so the store shows neither the
// key nor which filters a range answers), values AES-256-GCM with the name they are stored
// under as associated data (so a value copied under another name, or another key's, fails
// to open). The store holds nothing a reader without the upstream key can use or forge.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** Every name the store holds starts with this: `SCAN cm:*` lists what credit-mcp wrote. */
export const STORE_PREFIX = 'cm:v1:';
const SALT = 'credit-mcp fleet store v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TenantKeys {
  /** Where every name of this key starts: `cm:v1:<hmac of the key>:`. */
  readonly prefix: string;
  private readonly naming: Buffer;
  private readonly sealing: Buffer;

  constructor(provider: string, apiKey: string) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', apiKey, SALT, `${provider}\0${info}`, 32));
    this.naming = derive('names');
    this.sealing = derive('values');
    this.prefix = `${STORE_PREFIX}${this.hmac('tenant').slice(0, 32)}:`;
  }

  /** A store name for `purpose` (and what it is about, hashed: an entry type is ledger data too). */
  name(purpose: string, about?: string): string {
    return `${this.prefix}${purpose}${about === undefined ? '' : ':' + this.hmac(`${purpose}\0${about}`).slice(0, 24)}`;
  }

  /** `text` sealed for the store under `name` (and `field` of a hash): iv, tag, ciphertext. */
  seal(name: string, text: string, field = ''): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.sealing, iv);
    cipher.setAAD(Buffer.from(`${name}\0${field}`));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** The text sealed under `name`, or undefined when it was not sealed there with this key (copied, forged, damaged). */
  open(name: string, sealed: Buffer, field = ''): string | undefined {
    if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealing, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(`${name}\0${field}`));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.naming).update(text).digest('hex');
  }
}
