import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVectorFile } from '../../src/conformance/files.js';
import { vectorProtectOptions } from '../../src/conformance/vectors.js';
import { protect } from '../../src/crypto/macsec.js';
import { SaContext } from '../../src/crypto/sa.js';
import { gcmTrace } from '../../src/crypto/trace.js';
import { toHex } from '../../src/util/hex.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';

const dir = join(import.meta.dirname, '..', '..', 'vectors');
const vectors = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => loadVectorFile(join(dir, f)));

/** SP 800-38D 6.3 Algorithm 1, bit by bit: an oracle independent of the table-driven GHASH. */
function gfMul(x: Uint8Array, y: Uint8Array): Uint8Array {
  const z = new Uint8Array(16);
  const v = y.slice();
  for (let i = 0; i < 128; i++) {
    if ((x[i >>> 3]! >>> (7 - (i & 7))) & 1) for (let k = 0; k < 16; k++) z[k]! ^= v[k]!;
    const lsb = v[15]! & 1;
    for (let k = 15; k > 0; k--) v[k] = (v[k]! >>> 1) | ((v[k - 1]! & 1) << 7);
    v[0] = v[0]! >>> 1;
    if (lsb) v[0] ^= 0xe1;
  }
  return z;
}

describe('gcmTrace on the Annex C vectors', () => {
  it('covers all 32', () => expect(vectors).toHaveLength(32));
  for (const v of vectors) {
    it(v.name, () => {
      const key = { suite: v.suite, key: v.key, ssci: v.ssci, salt: v.salt };
      const sa = new SaContext(key);
      const options = { ...vectorProtectOptions(v), pn: v.pn };
      const t = gcmTrace(key, { unprotected: v.unprotectedFrame, options });
      const out = protect(sa, v.unprotectedFrame, options);
      const m = parseMacsecFrame(out, { clearTags: 0 });
      if (!m.ok) throw new Error(m.error.message);
      const { icvOffset } = m.value;
      // The tag is the ICV (14.5) and the ciphertext ends the secure data, as protect made them and the vector has them.
      expect(toHex(t.tag)).toBe(toHex(v.icv));
      expect(toHex(t.tag)).toBe(toHex(out.subarray(icvOffset)));
      expect(toHex(t.ciphertext)).toBe(toHex(out.subarray(icvOffset - t.ciphertext.length, icvOffset)));
      if (!v.confidentiality) expect(t.ciphertext).toHaveLength(0);
      // IV: SCI ‖ PN (14.5), or (SSCI ‖ PN64) XOR salt (14.7).
      const pn64 = v.pn.toString(16).padStart(16, '0');
      const expectedIv = v.suite.xpn
        ? toHex(Uint8Array.from(Buffer.from(toHex(v.ssci!) + pn64, 'hex'), (b, i) => b ^ v.salt![i]!))
        : toHex(v.sci) + pn64.slice(8);
      expect(toHex(t.iv)).toBe(expectedIv);
      expect(toHex(t.j0)).toBe(`${expectedIv}00000001`);
      // GHASH steps against the bitwise multiplication; the last is S, and S XOR E_K(J0) the tag.
      let y: Uint8Array = new Uint8Array(16);
      for (const step of t.ghash) {
        y = gfMul(y.map((b, i) => b ^ step.block[i]!), t.h);
        expect(toHex(step.y)).toBe(toHex(y));
      }
      expect(t.ghash.at(-1)!.part).toBe('length');
      expect(toHex(t.s)).toBe(toHex(y));
      expect(toHex(t.s.map((b, i) => b ^ t.ekj0[i]!))).toBe(toHex(v.icv));
      expect(t.ghash.filter((s) => s.part === 'AAD')).toHaveLength(Math.ceil(t.aad.length / 16));
      // Counter blocks start at IV ‖ 2 and their keystream XORs the plaintext into the ciphertext.
      t.counters.forEach((c, i) => {
        expect(toHex(c.counter)).toBe(expectedIv + (i + 2).toString(16).padStart(8, '0'));
        expect(toHex(c.ciphertext)).toBe(toHex(c.plaintext.map((p, k) => p ^ c.keystream[k]!)));
      });
      // The receiver's trace of the vector's frame verifies and recovers the same plaintext.
      const r = gcmTrace(key, { received: v.protectedFrame, sci: v.sci, pn: v.pn, confidentialityOffset: v.confidentialityOffset });
      expect(r.verified).toBe(true);
      expect(toHex(r.plaintext)).toBe(toHex(t.plaintext));
      const bad = v.protectedFrame.slice();
      bad[bad.length - 1]! ^= 1;
      expect(gcmTrace(key, { received: bad, sci: v.sci, pn: v.pn, confidentialityOffset: 0 }).verified).toBe(false);
    });
  }
});
