/**
 * The 802.1X key derivation function (802.1X-2010 6.2.1): NIST SP 800-108 KDF in counter mode with
 * PRF = AES-CMAC (RFC 4493), r = 8-bit counter, L = 16-bit output length in bits.
 *
 *   K(i) = AES-CMAC(Key, [i]_8 || Label || 0x00 || Context || [L]_16),  i = 1 .. ceil(L / 128)
 *   KDF(Key, Label, Context, L) = leftmost L bits of K(1) || K(2) || ...
 */
import { cmac } from '@noble/ciphers/aes.js';
import { ConfigError, describe } from '../util/errors.js';

/** AES block and CMAC output size. */
export const BLOCK_LENGTH = 16;

/** The KDF labels of 802.1X (6.2.2, 9.3.3, 9.8.1): ASCII, no terminator. */
export const Label = {
  CAK: 'IEEE8021 EAP CAK',
  CKN: 'IEEE8021 EAP CKN',
  ICK: 'IEEE8021 ICK',
  KEK: 'IEEE8021 KEK',
  SAK: 'IEEE8021 SAK',
} as const;

export function checkAesKey(key: Uint8Array, field: string, lengths: readonly number[] = [16, 32]): void {
  if (!(key instanceof Uint8Array) || !lengths.includes(key.length)) {
    throw new ConfigError(field, `${lengths.join(' or ')} octets`, describe(key));
  }
}

/** AES-CMAC (RFC 4493; SP 800-38B) with a 128- or 256-bit key: the PRF of the KDF and the MKPDU ICV. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  checkAesKey(key, 'CMAC key');
  return cmac(message, key);
}

function asciiLabel(label: string | Uint8Array): Uint8Array {
  if (typeof label !== 'string') return label;
  const out = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c > 0x7f) throw new ConfigError('Label', 'ASCII', JSON.stringify(label));
    out[i] = c;
  }
  return out;
}

/**
 * KDF(Key, Label, Context, L). `lengthBits` is L, a positive multiple of 8 below 2^16; with an 8-bit
 * counter at most 255 blocks can be produced (SP 800-108 5.1), far beyond any 802.1X key.
 */
export function kdf(key: Uint8Array, label: string | Uint8Array, context: Uint8Array, lengthBits: number): Uint8Array {
  checkAesKey(key, 'KDF key');
  if (!Number.isInteger(lengthBits) || lengthBits <= 0 || lengthBits % 8 !== 0 || lengthBits > 0xffff) {
    throw new ConfigError('L', 'a positive multiple of 8 below 65536', describe(lengthBits));
  }
  const blocks = Math.ceil(lengthBits / 128);
  if (blocks > 255) throw new ConfigError('L', 'at most 255 blocks (8-bit counter)', describe(lengthBits));
  const lab = asciiLabel(label);
  const input = new Uint8Array(1 + lab.length + 1 + context.length + 2);
  input.set(lab, 1); // input[1 + lab.length] stays 0x00, the separator
  input.set(context, 2 + lab.length);
  input[input.length - 2] = lengthBits >>> 8;
  input[input.length - 1] = lengthBits & 0xff;
  const out = new Uint8Array(blocks * BLOCK_LENGTH);
  for (let i = 1; i <= blocks; i++) {
    input[0] = i;
    out.set(cmac(input, key), (i - 1) * BLOCK_LENGTH);
  }
  input.fill(0);
  if (out.length === lengthBits / 8) return out;
  const result = out.slice(0, lengthBits / 8);
  out.fill(0);
  return result;
}
