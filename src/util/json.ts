/** Reading typed fields out of parsed JSON with errors that name the file and the field path. */
import { ConfigError } from './errors.js';
import { fromHex, HexError } from './hex.js';

export type Json = Record<string, unknown>;

export const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A field reader over one JSON object; `path` prefixes every field name in errors ("sas[1].key"). */
export class Fields {
  constructor(
    private readonly o: Json,
    private readonly path: string,
  ) {}

  private name(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  fail(field: string, expected: string, found: unknown): never {
    throw new ConfigError(this.name(field), expected, found === undefined ? 'nothing' : JSON.stringify(found));
  }

  /** Refuses fields this object may not have, so a typo or a file of another kind fails loudly. */
  only(...allowed: string[]): this {
    for (const key of Object.keys(this.o)) {
      if (!allowed.includes(key)) throw new ConfigError(this.name(key), `one of the fields ${allowed.join(', ')}`, 'an unknown field');
    }
    return this;
  }

  has(field: string): boolean {
    return this.o[field] !== undefined && this.o[field] !== null;
  }

  raw(field: string): unknown {
    return this.o[field];
  }

  string(field: string, fallback?: string): string {
    const v = this.o[field] ?? fallback;
    return typeof v === 'string' ? v : this.fail(field, 'a string', v);
  }

  hex(field: string, length?: number): Uint8Array {
    const text = this.string(field);
    const expected = length ? `${length} octets in hex` : 'hex';
    let bytes: Uint8Array;
    try {
      bytes = fromHex(text, this.name(field));
    } catch (e) {
      if (e instanceof HexError) throw new ConfigError(this.name(field), expected, e.message.slice(e.field.length + 2));
      throw e;
    }
    // Checked here rather than by fromHex, so the message says what was found ("15 octets"), once.
    if (length !== undefined && bytes.length !== length) throw new ConfigError(this.name(field), expected, `${bytes.length} octets`);
    return bytes;
  }

  optionalHex(field: string, length?: number): Uint8Array | undefined {
    return this.has(field) ? this.hex(field, length) : undefined;
  }

  boolean(field: string, fallback?: boolean): boolean {
    const v = this.o[field] ?? fallback;
    return typeof v === 'boolean' ? v : this.fail(field, 'true or false', v);
  }

  integer(field: string, min: number, max: number, fallback?: number): number {
    const v = this.o[field] ?? fallback;
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : this.fail(field, `an integer ${min}-${max}`, v);
  }

  /** A 64-bit unsigned number, as a decimal or 0x-hex string, or a safe integer. */
  bigint(field: string, min: bigint, max: bigint, fallback?: bigint): bigint {
    const v = this.o[field] ?? fallback;
    let n: bigint | undefined;
    if (typeof v === 'bigint') n = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
    else if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v.trim())) n = BigInt(v.trim());
    if (n === undefined || n < min || n > max) return this.fail(field, `a number ${min}-${max} (decimal string)`, v);
    return n;
  }

  array(field: string): Fields[] {
    const v = this.o[field];
    if (!Array.isArray(v)) return this.fail(field, 'an array', v);
    return v.map((item, i) => (isObject(item) ? new Fields(item, `${this.name(field)}[${i}]`) : this.fail(`${field}[${i}]`, 'an object', item)));
  }
}
