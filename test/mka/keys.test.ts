import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesCmac, kdf } from '../../src/mka/kdf.js';
import {
  aesKeyUnwrap,
  assignSsci,
  cknKeyid,
  constantTimeEqual,
  deriveCak,
  deriveCakKeys,
  deriveCkn,
  deriveIck,
  deriveKek,
  deriveSak,
  mkpduIcv,
  orderedMacs,
  sakContext,
  ssciOctets,
  unwrapSak,
  wipe,
  wipeCakKeys,
  wrapSak,
  xpnSalt,
} from '../../src/mka/keys.js';
import { ConfigError } from '../../src/util/errors.js';
import { fromHex, toHex } from '../../src/util/hex.js';

const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);
const key16 = fromHex('135bd758b0ee5c11c55ff6ab19fdb199'); // the G.4.1 CAK
const ckn16 = fromHex('96437a93ccf10d9dfe347846cce52c7d');

describe('KDF (6.2.1)', () => {
  it('is counter mode over AES-CMAC: block i is CMAC(i ‖ label ‖ 0 ‖ context ‖ L)', () => {
    const key = bytes(16, 7);
    const out = kdf(key, 'AB', Uint8Array.of(9), 384);
    expect(out).toHaveLength(48);
    for (let i = 1; i <= 3; i++) {
      const block = aesCmac(key, Uint8Array.of(i, 0x41, 0x42, 0x00, 0x09, 0x01, 0x80));
      expect(toHex(out.subarray((i - 1) * 16, i * 16))).toBe(toHex(block));
    }
  });

  it('truncates to L bits when L is not a multiple of 128', () => {
    const out = kdf(bytes(16), 'x', new Uint8Array(0), 64);
    expect(toHex(out)).toBe(toHex(aesCmac(bytes(16), Uint8Array.of(1, 0x78, 0, 0, 64)).subarray(0, 8)));
  });

  it('accepts a label given as octets', () => {
    expect(kdf(key16, Uint8Array.of(0x41), ckn16, 128)).toEqual(kdf(key16, 'A', ckn16, 128));
  });

  it('rejects bad parameters with ConfigError', () => {
    expect(() => kdf(bytes(24), 'x', bytes(1), 128)).toThrow(ConfigError);
    expect(() => kdf(bytes(16), 'x', bytes(1), 0)).toThrow(ConfigError);
    expect(() => kdf(bytes(16), 'x', bytes(1), 12)).toThrow(ConfigError);
    expect(() => kdf(bytes(16), 'x', bytes(1), 0x10000)).toThrow(ConfigError);
    expect(() => kdf(bytes(16), 'é', bytes(1), 128)).toThrow(ConfigError);
    expect(() => aesCmac(bytes(15), bytes(1))).toThrow(ConfigError);
  });
});

describe('CAK and CKN from the MSK (6.2.2)', () => {
  it('orders the MACs lesser first', () => {
    const a = fromHex('00d0b71a7717');
    const b = fromHex('001b6393fcbc');
    expect(toHex(orderedMacs(a, b))).toBe('001b6393fcbc00d0b71a7717');
    expect(toHex(orderedMacs(b, a))).toBe('001b6393fcbc00d0b71a7717');
  });

  it('uses only the first 16 or 32 octets of the MSK', () => {
    const msk = new Uint8Array(64).map((_, i) => i);
    const a = bytes(6, 1);
    const b = bytes(6, 2);
    expect(deriveCak(msk, a, b)).toEqual(deriveCak(msk.subarray(0, 16), a, b));
    expect(deriveCak(msk, a, b, 32)).toEqual(deriveCak(msk.subarray(0, 32), a, b, 32));
    expect(deriveCak(msk, a, b, 32)).toHaveLength(32);
    expect(deriveCkn(msk, Uint8Array.of(0x0d), a, b, 32, 32)).toHaveLength(32);
  });

  it('rejects a short MSK, bad MACs and lengths', () => {
    const a = bytes(6, 1);
    expect(() => deriveCak(bytes(15), a, a)).toThrow(ConfigError);
    expect(() => deriveCak(bytes(16), bytes(5), a)).toThrow(ConfigError);
    expect(() => deriveCak(bytes(32), a, a, 24 as 16)).toThrow(ConfigError);
    expect(() => deriveCkn(bytes(16), new Uint8Array(0), a, a)).toThrow(ConfigError);
    expect(() => deriveCkn(bytes(16), bytes(1), a, a, 16, 33)).toThrow(ConfigError);
  });
});

describe('ICK and KEK (9.3.3)', () => {
  it('use the first 16 octets of the CKN, zero-padded', () => {
    expect(toHex(cknKeyid(fromHex('31323334')))).toBe(`31323334${'00'.repeat(12)}`);
    const long = new Uint8Array(24).map((_, i) => i);
    expect(cknKeyid(long)).toEqual(long.subarray(0, 16));
    // so a CKN and its zero-padded form name the same keys
    expect(deriveKek(key16, fromHex('31323334'))).toEqual(deriveKek(key16, cknKeyid(fromHex('31323334'))));
    expect(deriveIck(key16, long)).toEqual(deriveIck(key16, long.subarray(0, 16)));
  });

  it('are as long as the CAK', () => {
    const keys = deriveCakKeys(bytes(32, 5), ckn16);
    expect(keys.ick).toHaveLength(32);
    expect(keys.kek).toHaveLength(32);
    expect(keys.ick).not.toEqual(keys.kek);
  });

  it('reject a CKN of 0 or 33 octets and a CAK of 24', () => {
    expect(() => cknKeyid(new Uint8Array(0))).toThrow(ConfigError);
    expect(() => deriveKek(key16, bytes(33))).toThrow(ConfigError);
    expect(() => deriveIck(bytes(24), ckn16)).toThrow(ConfigError);
  });
});

describe('SAK (9.8.1)', () => {
  it('context is KS-nonce ‖ MIs ‖ KN big-endian', () => {
    const ctx = sakContext(Uint8Array.of(0xaa), [bytes(12, 1), bytes(12, 2)], 0x01020304);
    expect(toHex(ctx)).toBe(`aa${'01'.repeat(12)}${'02'.repeat(12)}01020304`);
  });

  it('rejects bad MIs, KNs and lengths', () => {
    expect(() => sakContext(bytes(16), [bytes(11)], 1)).toThrow(ConfigError);
    expect(() => sakContext(bytes(16), [], -1)).toThrow(ConfigError);
    expect(() => sakContext(bytes(16), [], 2 ** 32)).toThrow(ConfigError);
    expect(() => sakContext(new Uint8Array(0), [], 1)).toThrow(ConfigError);
    expect(() => deriveSak(key16, bytes(16), [], 1, 24 as 16)).toThrow(ConfigError);
  });

  it('may be longer than the CAK', () => {
    expect(deriveSak(key16, bytes(32), [bytes(12)], 1, 32)).toHaveLength(32);
  });
});

describe('AES Key Wrap of the SAK (9.8, RFC 3394)', () => {
  const kek = deriveKek(key16, ckn16);

  it('round-trips 128- and 256-bit SAKs under 128- and 256-bit KEKs', () => {
    fc.assert(
      fc.property(fc.constantFrom(16, 32), fc.constantFrom(16, 32), fc.uint8Array({ minLength: 32, maxLength: 32 }), (kekLen, sakLen, seed) => {
        const k = seed.slice(0, kekLen).map((b, i) => b ^ i);
        const sak = seed.slice(0, sakLen);
        const wrapped = wrapSak(k, sak);
        expect(wrapped).toHaveLength(sakLen + 8);
        const back = unwrapSak(k, wrapped);
        expect(back.ok && toHex(back.value)).toBe(toHex(sak));
      }),
    );
  });

  it('reports a failed unwrap as a result, not a throw', () => {
    const wrapped = wrapSak(kek, bytes(16, 9));
    const other = unwrapSak(deriveKek(key16, fromHex('00')), wrapped);
    expect(other).toMatchObject({ ok: false, error: { code: 'UNWRAP_FAILED' } });
    wrapped[5]! ^= 1;
    expect(unwrapSak(kek, wrapped)).toMatchObject({ ok: false, error: { code: 'UNWRAP_FAILED' } });
    expect(unwrapSak(kek, bytes(32))).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH' } });
    expect(aesKeyUnwrap(kek, bytes(20))).toMatchObject({ ok: false, error: { code: 'BAD_LENGTH' } });
  });

  it('throws ConfigError for a bad KEK or SAK', () => {
    expect(() => wrapSak(bytes(24), bytes(16))).toThrow(ConfigError);
    expect(() => wrapSak(kek, bytes(24))).toThrow(ConfigError);
    expect(() => unwrapSak(bytes(8), bytes(24))).toThrow(ConfigError);
  });
});

describe('ICV (9.4.1)', () => {
  it('is AES-CMAC under the ICK, 128 bits for both ICK sizes', () => {
    const msg = bytes(40, 3);
    expect(mkpduIcv(key16, msg)).toEqual(aesCmac(key16, msg));
    expect(mkpduIcv(bytes(32, 1), msg)).toHaveLength(16);
    expect(() => mkpduIcv(bytes(20), msg)).toThrow(ConfigError);
  });

  it('constantTimeEqual', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
  });
});

describe('XPN (802.1AE-2018 10.7.28, 802.1X-2020)', () => {
  it('salt: KS MI with the KN halves XORed into its top 32 bits, low half first', () => {
    const mi = new Uint8Array(12).map((_, i) => i);
    expect(toHex(xpnSalt(mi, 0x11223344))).toBe('334513210405060708090a0b');
    expect(toHex(xpnSalt(mi, 0))).toBe(toHex(mi));
    expect(mi[0]).toBe(0); // input untouched
    expect(() => xpnSalt(bytes(8), 1)).toThrow(ConfigError);
  });

  it('SSCI: the greatest SCI gets 1', () => {
    const a = fromHex('0200000000010001');
    const b = fromHex('0200000000020001');
    const c = fromHex('0200000000020002');
    const all = [a, b, c];
    expect(assignSsci(c, all)).toBe(1);
    expect(assignSsci(b, all)).toBe(2);
    expect(assignSsci(a, all)).toBe(3);
    expect(assignSsci(a, [b])).toBe(2); // with or without itself in the list
    expect(toHex(ssciOctets(2))).toBe('00000002');
    expect(() => assignSsci(bytes(6), all)).toThrow(ConfigError);
  });
});

describe('wipe', () => {
  it('zeroes keys', () => {
    const keys = deriveCakKeys(key16, ckn16);
    const extra = bytes(4, 9);
    wipeCakKeys(keys);
    wipe(extra, undefined);
    expect(keys.ick.every((b) => b === 0) && keys.kek.every((b) => b === 0) && extra.every((b) => b === 0)).toBe(true);
  });
});
