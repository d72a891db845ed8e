/** Hex <-> bytes, with errors that name the field and the offending offset. */

export class HexError extends Error {
  override readonly name = 'HexError';
  constructor(
    readonly field: string,
    readonly offset: number,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array, separator = ''): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && separator) s += separator;
    const b = bytes[i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Parses hex; spaces, colons and dashes between octets are allowed ("00:11-22 33").
 * `length`, when given, is the exact number of octets required.
 */
export function fromHex(text: string, field = 'hex', length?: number): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 58 || c === 45 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const hi = nibble(c);
    if (hi < 0) throw new HexError(field, i, `'${text[i]}' at offset ${i} is not a hex digit`);
    if (i + 1 >= text.length) throw new HexError(field, i, `odd number of hex digits (a lone digit at offset ${i})`);
    const lo = nibble(text.charCodeAt(i + 1));
    if (lo < 0) throw new HexError(field, i + 1, `'${text[i + 1]}' at offset ${i + 1} is not a hex digit`);
    out[n++] = (hi << 4) | lo;
    i += 2;
  }
  if (length !== undefined && n !== length) {
    throw new HexError(field, 0, `expected ${length} octets, got ${n}`);
  }
  return out.slice(0, n);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
