/**
 * MKA test vectors (vectors/mka/vectors.json): each has a `name`, a `kind`, a `source` and hex fields.
 * `runMkaVector` checks one against this implementation; it never throws, and a kind it does not know
 * fails rather than passing unchecked.
 */
import { equalBytes, fromHex, toHex } from '../util/hex.js';
import { aesCmac, kdf, Label } from './kdf.js';
import {
  aesKeyUnwrap,
  aesKeyWrap,
  deriveCak,
  deriveCkn,
  deriveIck,
  deriveKek,
  deriveSak,
  deriveSakFromContext,
  ICV_LENGTH,
  MI_LENGTH,
  mkpduIcv,
  unwrapSak,
  wrapSak,
  type CakLength,
  type SakLength,
} from './keys.js';
import { emitMkpdu, MKPDU_OFFSET, parseMkpdu } from './mkpdu.js';

export interface MkaVector {
  readonly name?: string;
  readonly kind: string;
  readonly source?: string;
  /** Produced by a single implementation and not confirmed by a second one. */
  readonly synthetic?: boolean;
  readonly [field: string]: unknown;
}

export interface MkaVectorResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export function isMkaVector(x: unknown): x is MkaVector {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as Record<string, unknown>)['kind'] === 'string';
}

class VectorFieldError extends Error {}

class Checker {
  private readonly mismatches: string[] = [];
  private readonly passed: string[] = [];

  constructor(private readonly v: MkaVector) {}

  str(field: string): string {
    const value = this.v[field];
    if (typeof value !== 'string') throw new VectorFieldError(`field "${field}" ${value === undefined ? 'is missing' : 'is not a string'}`);
    return value;
  }

  hex(field: string): Uint8Array {
    try {
      return fromHex(this.str(field), field);
    } catch (e) {
      if (e instanceof VectorFieldError) throw e;
      throw new VectorFieldError(`field "${field}": ${(e as Error).message}`);
    }
  }

  optionalHex(field: string): Uint8Array | undefined {
    return this.v[field] === undefined ? undefined : this.hex(field);
  }

  /** A KDF label, given as hex or as ASCII. */
  label(): string | Uint8Array {
    return this.optionalHex('label_hex') ?? this.str('label_ascii');
  }

  int(field: string): number {
    const value = this.v[field];
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new VectorFieldError(`field "${field}" is not an integer`);
    return value;
  }

  keyLength(field: string): CakLength & SakLength {
    const n = this.int(field);
    if (n !== 16 && n !== 32) throw new VectorFieldError(`field "${field}" is ${n}, not 16 or 32`);
    return n;
  }

  bytes(what: string, actual: Uint8Array, expected: Uint8Array): void {
    if (equalBytes(actual, expected)) this.passed.push(what);
    else this.mismatches.push(`${what}: expected ${toHex(expected)}, got ${toHex(actual)}`);
  }

  truth(what: string, holds: boolean, why: string): void {
    if (holds) this.passed.push(what);
    else this.mismatches.push(`${what}: ${why}`);
  }

  result(): { ok: boolean; detail: string } {
    if (this.mismatches.length > 0) return { ok: false, detail: this.mismatches.join('; ') };
    if (this.passed.length === 0) return { ok: false, detail: 'nothing was checked' };
    return { ok: true, detail: `${this.passed.join(', ')} match` };
  }
}

type Handler = (c: Checker) => void;

function splitMis(list: Uint8Array): Uint8Array[] {
  if (list.length % MI_LENGTH !== 0) throw new VectorFieldError(`mi_list is ${list.length} octets, not a multiple of ${MI_LENGTH}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < list.length; i += MI_LENGTH) out.push(list.subarray(i, i + MI_LENGTH));
  return out;
}

function sakLengthOf(sak: Uint8Array): SakLength {
  if (sak.length !== 16 && sak.length !== 32) throw new VectorFieldError(`sak is ${sak.length} octets, not 16 or 32`);
  return sak.length;
}

const cmacHandler: Handler = (c) => c.bytes('AES-CMAC', aesCmac(c.hex('key'), c.hex('msg')), c.hex('mac'));

const HANDLERS: Readonly<Record<string, Handler>> = {
  kdf: (c) => {
    c.bytes('KDF output', kdf(c.hex('key'), c.label(), c.hex('context'), c.int('length_bits')), c.hex('output'));
  },
  'kdf-kek': (c) => c.bytes('KEK', deriveKek(c.hex('cak'), c.hex('ckn')), c.hex('kek')),
  'kdf-ick': (c) => c.bytes('ICK', deriveIck(c.hex('cak'), c.hex('ckn')), c.hex('ick')),
  'kdf-sak': (c) => {
    const expected = c.hex('sak');
    const context = c.optionalHex('context');
    const sak =
      context !== undefined
        ? deriveSakFromContext(c.hex('cak'), context, sakLengthOf(expected))
        : deriveSak(c.hex('cak'), c.hex('ks_nonce'), splitMis(c.hex('mi_list')), readKn(c.hex('kn')), sakLengthOf(expected));
    c.bytes('SAK', sak, expected);
  },
  'cak-from-msk': (c) => c.bytes('CAK', deriveCak(c.hex('msk'), c.hex('mac_a'), c.hex('mac_b'), c.keyLength('cak_len')), c.hex('cak')),
  'ckn-from-msk': (c) => {
    const expected = c.hex('ckn');
    const ckn = deriveCkn(c.hex('msk'), c.hex('eap_session_id'), c.hex('mac_a'), c.hex('mac_b'), c.keyLength('key_len'), expected.length);
    c.bytes('CKN', ckn, expected);
  },
  'aes-cmac': cmacHandler,
  cmac: cmacHandler,
  'aes-kw': (c) => {
    const kek = c.hex('kek');
    const plaintext = c.hex('plaintext');
    const ciphertext = c.hex('ciphertext');
    c.bytes('wrap', aesKeyWrap(kek, plaintext), ciphertext);
    const unwrapped = aesKeyUnwrap(kek, ciphertext);
    if (unwrapped.ok) c.bytes('unwrap', unwrapped.value, plaintext);
    else c.truth('unwrap', false, unwrapped.error.message);
  },
  'sak-wrap': (c) => {
    const kek = deriveKek(c.hex('cak'), c.hex('ckn'));
    const sak = c.hex('sak');
    const wrapped = c.hex('wrapped_sak');
    c.bytes('wrapped SAK', wrapSak(kek, sak), wrapped);
    const unwrapped = unwrapSak(kek, wrapped);
    if (unwrapped.ok) c.bytes('unwrapped SAK', unwrapped.value, sak);
    else c.truth('unwrapped SAK', false, unwrapped.error.message);
  },
  'mkpdu-icv': (c) => {
    const frame = c.hex('frame');
    const icv = c.hex('icv');
    const ckn = c.hex('ckn');
    const cak = c.hex('cak');
    const ick = deriveIck(cak, ckn);
    const expectedIck = c.optionalHex('ick');
    if (expectedIck !== undefined) c.bytes('ICK', ick, expectedIck);
    if (frame.length < MKPDU_OFFSET + ICV_LENGTH) throw new VectorFieldError(`frame of ${frame.length} octets is too short`);
    const icvAt = MKPDU_OFFSET + ((frame[16]! << 8) | frame[17]!) - ICV_LENGTH;
    c.bytes('ICV', mkpduIcv(ick, frame.subarray(0, icvAt)), icv);
    const parsed = parseMkpdu(frame, (name) => (equalBytes(name, ckn) ? ick : undefined));
    if (!parsed.ok) {
      c.truth('parse', false, parsed.error.message);
      return;
    }
    c.bytes('parsed ICV', parsed.value.icv, icv);
    c.bytes('re-emitted frame', emitMkpdu(parsed.value, ick), frame);
    const wrapped = c.optionalHex('wrapped_sak');
    if (wrapped === undefined) return;
    c.bytes('Distributed SAK wrap', parsed.value.distributedSak?.key?.wrappedSak ?? new Uint8Array(0), wrapped);
    const kek = deriveKek(cak, ckn);
    const sak = c.optionalHex('sak');
    const unwrapped = unwrapSak(kek, wrapped);
    if (!unwrapped.ok) c.truth('unwrapped SAK', false, unwrapped.error.message);
    else if (sak !== undefined) c.bytes('unwrapped SAK', unwrapped.value, sak);
    if (sak !== undefined) c.bytes('wrapped SAK', wrapSak(kek, sak), wrapped);
  },
  /** An ICV under an ICK derived with an explicit (possibly non-conformant) context: the AOSP PSK plugin quirk. */
  'icv-raw': (c) => {
    const cak = c.hex('cak');
    const ick = kdf(cak, Label.ICK, c.hex('ick_context'), cak.length * 8);
    const data = c.optionalHex('data') ?? c.hex('msg');
    c.bytes('ICV', mkpduIcv(ick, data), c.hex('icv'));
  },
};

/** The kinds `runMkaVector` understands. */
export const MKA_VECTOR_KINDS: readonly string[] = Object.keys(HANDLERS);

function readKn(kn: Uint8Array): number {
  if (kn.length !== 4) throw new VectorFieldError(`kn is ${kn.length} octets, not 4`);
  return ((kn[0]! << 24) | (kn[1]! << 16) | (kn[2]! << 8) | kn[3]!) >>> 0;
}

export function runMkaVector(v: MkaVector): MkaVectorResult {
  const name = typeof v.name === 'string' ? v.name : `(unnamed ${String(v.kind)} vector)`;
  const handler = Object.hasOwn(HANDLERS, v.kind) ? HANDLERS[v.kind] : undefined;
  if (handler === undefined) return { name, ok: false, detail: `unknown kind "${v.kind}"` };
  const checker = new Checker(v);
  try {
    handler(checker);
  } catch (e) {
    const reason = e instanceof VectorFieldError ? e.message : `threw ${(e as Error).name}: ${(e as Error).message}`;
    return { name, ok: false, detail: reason };
  }
  const { ok, detail } = checker.result();
  return { name, ok, detail: v.synthetic === true ? `${detail} (synthetic vector)` : detail };
}
