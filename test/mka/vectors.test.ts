import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aesCmac, kdf } from '../../src/mka/kdf.js';
import {
  aesKeyUnwrap,
  aesKeyWrap,
  deriveCak,
  deriveCkn,
  deriveIck,
  deriveKek,
  deriveSak,
  deriveSakFromContext,
  unwrapSak,
  wrapSak,
} from '../../src/mka/keys.js';
import { emitMkpdu, parseMkpdu } from '../../src/mka/mkpdu.js';
import { loadAnyVectorFile } from '../../src/conformance/files.js';
import { isMkaVector, MKA_VECTOR_KINDS, runMkaVector, type MkaVector } from '../../src/mka/vectors.js';
import { equalBytes, fromHex, toHex } from '../../src/util/hex.js';

const file = join(import.meta.dirname, '..', '..', 'vectors', 'mka', 'vectors.json');
const mkaVectors = (path: string): MkaVector[] => loadAnyVectorFile(path).flatMap((v) => (v.type === 'mka' ? [v.vector] : []));
const vectors = mkaVectors(file);

const hex = (v: MkaVector, field: string): Uint8Array => {
  const value = v[field];
  if (typeof value !== 'string') throw new Error(`${v.name}: no ${field}`);
  return fromHex(value, field);
};
const num = (v: MkaVector, field: string): number => {
  const value = v[field];
  if (typeof value !== 'number') throw new Error(`${v.name}: no ${field}`);
  return value;
};
const keyLength = (n: number): 16 | 32 => {
  if (n !== 16 && n !== 32) throw new Error(`key length ${n}`);
  return n;
};
const mis = (list: Uint8Array): Uint8Array[] => Array.from({ length: list.length / 12 }, (_, i) => list.subarray(i * 12, i * 12 + 12));

describe('MKA vectors (vectors/mka/vectors.json)', () => {
  it('ships all 39, every kind known to the runner', () => {
    expect(vectors).toHaveLength(39);
    for (const v of vectors) expect(MKA_VECTOR_KINDS).toContain(v.kind);
  });

  describe('through runMkaVector', () => {
    for (const v of vectors) {
      it(`${v.name} [${v.kind}]`, () => {
        const r = runMkaVector(v);
        expect(r.name).toBe(v.name);
        expect(r.ok, r.detail).toBe(true);
      });
    }
  });

  // The same vectors again, straight through the public API, so a runner bug cannot hide a key bug.
  describe('through the API', () => {
    for (const v of vectors) {
      it(`${v.name} [${v.kind}]`, () => {
        switch (v.kind) {
          case 'kdf': {
            const label = typeof v['label_hex'] === 'string' ? hex(v, 'label_hex') : String(v['label_ascii']);
            expect(toHex(kdf(hex(v, 'key'), label, hex(v, 'context'), num(v, 'length_bits')))).toBe(v['output']);
            break;
          }
          case 'cak-from-msk':
            expect(toHex(deriveCak(hex(v, 'msk'), hex(v, 'mac_a'), hex(v, 'mac_b'), keyLength(num(v, 'cak_len'))))).toBe(v['cak']);
            // mac1 is the lesser address whichever way round they are given
            expect(toHex(deriveCak(hex(v, 'msk'), hex(v, 'mac_b'), hex(v, 'mac_a'), keyLength(num(v, 'cak_len'))))).toBe(v['cak']);
            break;
          case 'ckn-from-msk':
            expect(toHex(deriveCkn(hex(v, 'msk'), hex(v, 'eap_session_id'), hex(v, 'mac_a'), hex(v, 'mac_b'), keyLength(num(v, 'key_len'))))).toBe(v['ckn']);
            break;
          case 'kdf-kek':
            expect(toHex(deriveKek(hex(v, 'cak'), hex(v, 'ckn')))).toBe(v['kek']);
            break;
          case 'kdf-ick':
            expect(toHex(deriveIck(hex(v, 'cak'), hex(v, 'ckn')))).toBe(v['ick']);
            break;
          case 'kdf-sak': {
            const sak = hex(v, 'sak');
            const len = keyLength(sak.length);
            const got =
              v['context'] !== undefined
                ? deriveSakFromContext(hex(v, 'cak'), hex(v, 'context'), len)
                : deriveSak(hex(v, 'cak'), hex(v, 'ks_nonce'), mis(hex(v, 'mi_list')), new DataView(hex(v, 'kn').buffer).getUint32(0), len);
            expect(toHex(got)).toBe(v['sak']);
            break;
          }
          case 'aes-cmac':
            expect(toHex(aesCmac(hex(v, 'key'), hex(v, 'msg')))).toBe(v['mac']);
            break;
          case 'aes-kw': {
            expect(toHex(aesKeyWrap(hex(v, 'kek'), hex(v, 'plaintext')))).toBe(v['ciphertext']);
            const back = aesKeyUnwrap(hex(v, 'kek'), hex(v, 'ciphertext'));
            expect(back.ok && toHex(back.value)).toBe(v['plaintext']);
            break;
          }
          case 'sak-wrap': {
            const kek = deriveKek(hex(v, 'cak'), hex(v, 'ckn'));
            expect(toHex(wrapSak(kek, hex(v, 'sak')))).toBe(v['wrapped_sak']);
            const back = unwrapSak(kek, hex(v, 'wrapped_sak'));
            expect(back.ok && toHex(back.value)).toBe(v['sak']);
            break;
          }
          case 'mkpdu-icv': {
            const frame = hex(v, 'frame');
            const ckn = hex(v, 'ckn');
            const ick = deriveIck(hex(v, 'cak'), ckn);
            const parsed = parseMkpdu(frame, (name) => (equalBytes(name, ckn) ? ick : undefined));
            if (!parsed.ok) throw parsed.error;
            expect(toHex(parsed.value.icv)).toBe(v['icv']);
            expect(toHex(emitMkpdu(parsed.value, ick))).toBe(v['frame']);
            break;
          }
          default:
            throw new Error(`no API check for kind ${v.kind}`);
        }
      });
    }
  });
});

describe('runMkaVector', () => {
  const annex = vectors.find((v) => v.name === 'ieee-annexG.4.1-kek-128')!;

  it('fails a vector of an unknown kind instead of passing it', () => {
    expect(runMkaVector({ name: 'x', kind: 'kdf-quux', key: '00' })).toEqual({ name: 'x', ok: false, detail: 'unknown kind "kdf-quux"' });
    expect(runMkaVector({ name: 'y', kind: 'toString' }).ok).toBe(false); // not fooled by Object.prototype
  });

  it('fails on a wrong expected value, naming it', () => {
    const r = runMkaVector({ ...annex, kek: '00'.repeat(16) });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^KEK: expected 0{32}, got 8f5a384c/);
  });

  it('fails, without throwing, on a missing or malformed field', () => {
    expect(runMkaVector({ name: 'm', kind: 'kdf-kek', cak: annex['cak'], kek: '00' })).toMatchObject({ ok: false, detail: 'field "ckn" is missing' });
    expect(runMkaVector({ ...annex, cak: 'zz' })).toMatchObject({ ok: false, detail: expect.stringContaining('field "cak"') });
    expect(runMkaVector({ ...annex, cak: '0011' })).toMatchObject({ ok: false, detail: expect.stringContaining('ConfigError') });
  });

  it('reports a failed unwrap and a frame that does not parse', () => {
    const wrap = vectors.find((v) => v.kind === 'sak-wrap')!;
    expect(runMkaVector({ ...wrap, wrapped_sak: '00'.repeat(24) })).toMatchObject({ ok: false });
    const mkpdu = vectors.find((v) => v.kind === 'mkpdu-icv')!;
    const frame = String(mkpdu['frame']);
    const tampered = `${frame.slice(0, -2)}${frame.endsWith('00') ? '01' : '00'}`;
    expect(runMkaVector({ ...mkpdu, frame: tampered })).toMatchObject({ ok: false, detail: expect.stringContaining('BAD_ICV') });
  });

  it('handles the icv-raw kind (ICK from an explicit context)', () => {
    const cak = fromHex('0123456789abcdef0123456789abcdef');
    const context = fromHex('31323334');
    const data = fromHex('0102030405');
    const ick = kdf(cak, 'IEEE8021 ICK', context, 128);
    const icv = toHex(aesCmac(ick, data));
    expect(runMkaVector({ name: 'r', kind: 'icv-raw', cak: toHex(cak), ick_context: '31323334', data: '0102030405', icv }).ok).toBe(true);
    expect(runMkaVector({ name: 'r', kind: 'icv-raw', cak: toHex(cak), ick_context: '3132333400', data: '0102030405', icv }).ok).toBe(false);
  });

  it('isMkaVector wants an object with a string kind', () => {
    expect(isMkaVector({ kind: 'kdf' })).toBe(true);
    expect(isMkaVector({ kind: 3 })).toBe(false);
    expect(isMkaVector([])).toBe(false);
    expect(isMkaVector(null)).toBe(false);
    expect(isMkaVector('kdf')).toBe(false);
  });

  it('marks synthetic vectors in the detail', () => {
    const lab = vectors.find((v) => v.synthetic === true)!;
    expect(runMkaVector(lab).detail).toMatch(/synthetic/);
  });
});
