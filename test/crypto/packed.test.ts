/**
 * The packed kernels (crypto/packed.ts, and native/macsec_gcm.c behind them on `native`) against per-frame
 * protect / validate (macsec.ts, checked against Annex C and node:crypto), on every backend: the same
 * bytes, and the outcome each frame gets by the rules of 802.1AE 10.5 and 10.6 (the decision table in
 * src/secy/secy.ts), for every suite, both modes, offsets 0/30/50, every SCI form, clear tags, padded short
 * frames, gaps between packed frames, refusals and PN exhaustion, and XPN PNs across 2^32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_BACKEND_NAMES, availableBackends, type BackendName } from '../../src/crypto/backend.js';
import { protect, transmitTci, validate } from '../../src/crypto/macsec.js';
import {
  PACKED_CODE_NAMES,
  PackedCode,
  packedOutcomes,
  protectPacked,
  validatePacked,
  type PackedProtectOptions,
  type PackedReceiveControl,
  type PackedTransmitControl,
  type PackedValidateFrames,
} from '../../src/crypto/packed.js';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITES, type CipherSuiteName, type ConfidentialityOffset } from '../../src/crypto/suite.js';
import { ConfigError } from '../../src/util/errors.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { packedFrame, packedFrames, type PackedFrames } from '../../src/wire/packed.js';
import { anOf, type AN } from '../../src/wire/sectag.js';
import { nativeDifferential, scatterTests } from './packed-scatter.js';

const availability = new Map(availableBackends().map((b) => [b.name, b]));
function eachBackend(body: (backend: BackendName) => void): void {
  for (const name of ALL_BACKEND_NAMES) {
    const b = availability.get(name)!;
    describe.skipIf(!b.available)(`${name}${b.available ? '' : ` (skipped: ${b.detail})`}`, () => body(name));
  }
}

const SUITES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const TWO_32 = 2 ** 32;

type SciForm = 'sc' | 'es' | 'scb' | 'es+scb' | 'none';
interface Setup {
  suite: CipherSuiteName;
  key: Uint8Array;
  ssci: Uint8Array;
  salt: Uint8Array;
  source: Uint8Array;
  port: number;
  form: SciForm;
  confidentiality: boolean;
  offset: ConfidentialityOffset;
  clearTags: number;
  an: number;
}

const setupArb: fc.Arbitrary<Setup> = fc.record({
  suite: fc.constantFrom(...SUITES),
  key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  ssci: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  salt: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  source: fc.uint8Array({ minLength: 6, maxLength: 6 }),
  port: fc.integer({ min: 0, max: 0xffff }),
  form: fc.constantFrom<SciForm>('sc', 'es', 'scb', 'es+scb', 'none'),
  confidentiality: fc.boolean(),
  offset: fc.constantFrom<ConfidentialityOffset>(0, 30, 50),
  clearTags: fc.constantFrom(0, 0, 1, 2),
  an: fc.integer({ min: 0, max: 3 }),
});

/** The SCI the SecTAG form implies: with ES, the source address and port 1 (0 with SCB), 9.5. */
function sciOf(s: Setup): Uint8Array {
  const port = s.form === 'es' ? 1 : s.form === 'es+scb' ? 0 : s.port;
  return Uint8Array.from([...s.source, port >>> 8, port & 0xff]);
}

function options(s: Setup): PackedProtectOptions {
  return {
    ...transmitTci(s.an, {
      includeSci: s.form === 'sc',
      endStation: s.form === 'es' || s.form === 'es+scb',
      scb: s.form === 'scb' || s.form === 'es+scb',
      confidentiality: s.confidentiality,
    }),
    sci: sciOf(s),
    confidentialityOffset: s.offset,
    clearTags: s.clearTags,
  };
}

function saOf(s: Setup, backend: BackendName): SaContext {
  const suite = CIPHER_SUITES[s.suite];
  return new SaContext({ suite, key: s.key.subarray(0, suite.keyLength), ssci: suite.xpn ? s.ssci : undefined, salt: suite.xpn ? s.salt : undefined }, backend);
}

/** DA ‖ SA (the setup's source) ‖ clear VLAN tags ‖ EtherType and user data of `user` octets. */
function plainFrame(s: Setup, user: Uint8Array, da: Uint8Array): Uint8Array {
  const tags = s.clearTags * 4;
  const f = new Uint8Array(12 + tags + user.length);
  f.set(da, 0);
  f.set(s.source, 6);
  for (let k = 0; k < s.clearTags; k++) {
    f[12 + 4 * k] = k === 0 && s.clearTags === 2 ? 0x88 : 0x81;
    f[13 + 4 * k] = k === 0 && s.clearTags === 2 ? 0xa8 : 0x00;
    f[14 + 4 * k] = 0x0f & user.length;
    f[15 + 4 * k] = k;
  }
  f.set(user, 12 + tags);
  return f;
}

/** Frames packed with `gaps[i]` octets of filler before frame i, after `first` empty leading entries. */
function pack(frames: readonly Uint8Array[], gaps: readonly number[], first: number): PackedFrames {
  const octets = frames.reduce((a, f, i) => a + f.length + (gaps[i] ?? 0), 0);
  const p = packedFrames(first + frames.length, octets);
  p.data.fill(0xa5);
  let at = 0;
  frames.forEach((f, i) => {
    at += gaps[i] ?? 0;
    p.data.set(f, at);
    p.offsets[first + i] = at;
    p.lengths[first + i] = f.length;
    at += f.length;
  });
  p.count = first + frames.length;
  return p;
}

// User data: mostly short (SL, padding), some around 48, some long.
const userArb = fc.oneof(
  fc.uint8Array({ minLength: 2, maxLength: 60 }),
  fc.uint8Array({ minLength: 44, maxLength: 52 }),
  fc.uint8Array({ minLength: 100, maxLength: 1500 }),
);

eachBackend((backend) => {
  describe('protectPacked and validatePacked', () => {
    scatterTests(backend);
    if (backend !== 'native') nativeDifferential(backend);
  });

  describe('protectPacked', () => {
    it('gives each frame the bytes of protect with its PN, counting up (XPN across 2^32), with refusals and exhaustion', () => {
      fc.assert(
        fc.property(
          setupArb,
          fc.array(fc.tuple(userArb, fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 12 }),
          fc.uint8Array({ minLength: 6, maxLength: 6 }),
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 0, max: 6 }),
          fc.boolean(),
          fc.constantFrom(2000, 1518, 300, 80),
          (s, items, da, first, toEdge, nearEnd, maxFrameSize) => {
            const suite = CIPHER_SUITES[s.suite];
            const sa = saOf(s, backend);
            const o = options(s);
            const frames = items.map(([u]) => plainFrame(s, u, da));
            const input = pack(frames, items.map(([, g]) => g), first);
            // XPN: starting just below 2^32 so the burst crosses it; plain: some bursts run into the last PN.
            const startLo = nearEnd ? TWO_32 - 1 - toEdge : 1 + toEdge * 1000;
            const startHi = suite.xpn ? 0 : 0;
            const lastHi = suite.xpn ? 1 : 0;
            const lastLo = suite.xpn ? (nearEnd ? 2 : 0xffff_ffff) : 0xffff_ffff;
            const output = packedFrames(first + frames.length, 7 + frames.reduce((a, f) => a + f.length + 32, 0));
            const outcomes = packedOutcomes(first + frames.length);
            const c: PackedTransmitControl = { first, count: frames.length, outStart: 7, nextPnHigh: startHi, nextPnLow: startLo, lastPnHigh: lastHi, lastPnLow: lastLo, maxFrameSize, outEnd: 0, pnsUsed: 0 };
            protectPacked(sa, o, input, output, outcomes, c);
            let pn = BigInt(startHi) * 2n ** 32n + BigInt(startLo);
            const last = BigInt(lastHi) * 2n ** 32n + BigInt(lastLo);
            let used = 0;
            let end = 7;
            frames.forEach((f, k) => {
              const i = first + k;
              const growth = (o.includeSci ? 16 : 8) + 16;
              // 10.5: too long before anything; an exhausted SA refuses; a too-long MPDU takes no PN.
              const want = f.length > maxFrameSize ? 'OutPktsTooLong' : pn > last ? 'SimOutPktsPNExhausted' : f.length + growth > maxFrameSize ? 'OutPktsTooLong' : s.confidentiality ? 'OutPktsEncrypted' : 'OutPktsProtected';
              expect(PACKED_CODE_NAMES[outcomes.codes[i]!], `frame ${k}`).toBe(want);
              if (want !== 'OutPktsEncrypted' && want !== 'OutPktsProtected') {
                expect(output.lengths[i]).toBe(0);
                return;
              }
              const expected = protect(sa, f, { ...o, pn });
              expect(hex(packedFrame(output, i)), `frame ${k}`).toBe(hex(expected));
              expect(BigInt(outcomes.pnHigh[i]!) * 2n ** 32n + BigInt(outcomes.pnLow[i]!)).toBe(pn);
              pn++;
              used++;
              end = output.offsets[i]! + output.lengths[i]!;
            });
            expect(c.pnsUsed).toBe(used);
            expect(c.outEnd).toBe(end);
            sa.wipe();
          },
        ),
        { numRuns: 60 },
      );
    });

    it('refuses bad arguments with a typed error, before writing anything', () => {
      const s: Setup = { suite: 'GCM-AES-128', key: new Uint8Array(32), ssci: new Uint8Array(4), salt: new Uint8Array(12), source: new Uint8Array(6), port: 1, form: 'sc', confidentiality: true, offset: 0, clearTags: 0, an: 0 };
      const sa = saOf(s, backend);
      const input = pack([plainFrame(s, new Uint8Array(40), new Uint8Array(6)), new Uint8Array(13)], [0, 0], 0);
      const output = packedFrames(2, 200);
      const outcomes = packedOutcomes(2);
      const c: PackedTransmitControl = { first: 0, count: 2, outStart: 0, nextPnHigh: 0, nextPnLow: 1, lastPnHigh: 0, lastPnLow: 0xffff_ffff, maxFrameSize: 1518, outEnd: 0, pnsUsed: 0 };
      expect(() => protectPacked(sa, options(s), input, output, outcomes, c)).toThrow(/input frame 1: expected at least 14 octets/);
      expect(output.data.every((b) => b === 0)).toBe(true);
      expect(() => protectPacked(sa, options(s), input, output, outcomes, { ...c, count: 1, outStart: 150 })).toThrow(ConfigError);
      expect(() => protectPacked(sa, options(s), input, output, outcomes, { ...c, count: 3 })).toThrow(/offsets\/lengths/);
      expect(() => protectPacked(sa, { ...options(s), an: 4 as number as AN }, input, output, outcomes, c)).toThrow(/an: expected/);
      // An output never replaces an input.
      const same = { ...output, data: input.data.subarray(10) };
      expect(() => protectPacked(sa, options(s), input, same, outcomes, { ...c, count: 1 })).toThrow(/output.data: expected memory apart from input.data/);
      sa.wipe();
      expect(() => protectPacked(sa, options(s), input, output, outcomes, { ...c, count: 1 })).toThrow(/wiped/);
    });
  });

  describe('validatePacked', () => {
    it('gives each frame the outcome and bytes of validate by the rules of 10.6 (XPN recovery across 2^32)', () => {
      fc.assert(
        fc.property(
          setupArb,
          fc.array(
            fc.record({
              user: userArb,
              gap: fc.integer({ min: 0, max: 4 }),
              // What happens to the frame on the way: nothing, a flipped ICV bit, another AN, another SCI, a bad TCI.
              fate: fc.constantFrom('ok', 'ok', 'ok', 'icv', 'an', 'sci', 'badtag', 'pad'),
              pnStep: fc.integer({ min: -3, max: 3 }),
            }),
            { minLength: 1, maxLength: 12 },
          ),
          fc.constantFrom<PackedValidateFrames>('Strict', 'Check', 'Disabled'),
          fc.boolean(),
          fc.boolean(),
          fc.integer({ min: 0, max: 2 }),
          (s, items, validateFrames, replayProtect, pointToPoint, first) => {
            const suite = CIPHER_SUITES[s.suite];
            const sa = saOf(s, backend);
            const o = options(s);
            const sci = o.sci;
            // lowestPN just below 2^32 with XPN, so frames fall both sides of it.
            const lowest = suite.xpn ? BigInt(TWO_32 - 2) : 5n;
            const frames = items.map((it, k) => {
              const pn = lowest + BigInt(it.pnStep);
              const an = anOf(it.fate === 'an' ? s.an + 1 : s.an);
              const f = protect(sa, plainFrame(s, it.user, new Uint8Array([k, 1, 2, 3, 4, 5])), { ...o, an, pn: pn < (suite.xpn ? 0n : 1n) ? 1n : pn });
              const tag = 12 + 4 * s.clearTags;
              if (it.fate === 'icv') f[f.length - 1]! ^= 0x10;
              if (it.fate === 'sci') f[o.includeSci ? tag + 15 : 11]! ^= 1;
              if (it.fate === 'badtag') f[tag + 2]! |= 0x80;
              if (it.fate === 'pad' && f.length < 60) return Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]);
              return f;
            });
            const input = pack(frames, items.map((it) => it.gap), first);
            const n = first + frames.length;
            const output = packedFrames(n, 3 + frames.reduce((a, f) => a + f.length + 32, 0));
            const outcomes = packedOutcomes(n);
            const c: PackedReceiveControl = { first, count: frames.length, outStart: 3, lowestPnHigh: Number(lowest >> 32n), lowestPnLow: Number(lowest & 0xffff_ffffn), outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
            const vo = { sci, an: s.an, confidentialityOffset: s.offset, clearTags: s.clearTags, validateFrames, replayProtect, pointToPoint };
            validatePacked(sa, vo, input, output, outcomes, c);
            let handled = 0;
            // 10.7.9-10: the user data octets of the frames validated (past the replay pre-check), integrity only and encrypted.
            let octetsValidated = 0, octetsDecrypted = 0;
            frames.forEach((f, k) => {
              const i = first + k;
              const got = PACKED_CODE_NAMES[outcomes.codes[i]!];
              const out = output.lengths[i] === 0 ? undefined : hex(packedFrame(output, i));
              const parsed = parseMacsecFrame(f, { clearTags: s.clearTags, allowZeroPN: suite.xpn });
              if (!parsed.ok) {
                expect(got, `frame ${k}`).toBe('InPktsBadTag');
                expect(out).toBeUndefined();
                handled++;
                return;
              }
              const L = parsed.value;
              const tci = L.secTag.tci;
              // 10.6.1: the SCI carried, or implied by ES, or the point-to-point SC; another SC or AN is the general path's.
              const implied = tci.sc ? L.secTag.sci! : tci.es ? Uint8Array.from([...f.subarray(6, 12), 0, tci.scb ? 0 : 1]) : pointToPoint ? sci : undefined;
              if (implied === undefined || hex(implied) !== hex(sci) || L.secTag.an !== s.an) {
                expect(got, `frame ${k}`).toBe('None');
                return;
              }
              handled++;
              // 802.1AEbw 10.6.2: the upper half from lowestPN.
              const lowLo = Number(lowest & 0xffff_ffffn);
              const hi = suite.xpn ? Number(lowest >> 32n) + (L.secTag.pn >= lowLo ? 0 : 1) : 0;
              const pn = BigInt(hi) * 2n ** 32n + BigInt(L.secTag.pn);
              expect(outcomes.pnLow[i]).toBe(L.secTag.pn);
              expect(outcomes.pnHigh[i]).toBe(hi);
              const late = pn < lowest;
              const stripped = hex(Uint8Array.from([...f.subarray(0, L.secTagOffset), ...f.subarray(L.secureDataOffset, L.secureDataOffset + L.secureDataLength)]));
              if (replayProtect && late) {
                expect(got, `frame ${k}`).toBe('InPktsLate');
                expect(out).toBeUndefined();
                return;
              }
              if (validateFrames !== 'Disabled') {
                if (tci.e) octetsDecrypted += L.secureDataLength;
                else octetsValidated += L.secureDataLength;
              }
              if (!tci.c && validateFrames === 'Disabled') {
                expect(got, `frame ${k}`).toBe(late ? 'InPktsDelayed' : 'InPktsUnchecked');
                expect(out).toBe(stripped);
                return;
              }
              const plain = validate(sa, f, L, { sci, pnHigh: hi, confidentialityOffset: s.offset });
              if (plain === null) {
                const invalid = validateFrames === 'Check' && !tci.c;
                expect(got, `frame ${k}`).toBe(invalid ? 'InPktsInvalid' : 'InPktsNotValid');
                expect(out).toBe(invalid ? stripped : undefined);
                return;
              }
              expect(got, `frame ${k}`).toBe(late ? 'InPktsDelayed' : 'InPktsOK');
              expect(out).toBe(hex(plain));
            });
            expect(c.handled).toBe(handled);
            expect([c.octetsValidated, c.octetsDecrypted]).toEqual([octetsValidated, octetsDecrypted]);
            // The input is never changed.
            expect(frames.every((f, k) => hex(packedFrame(input, first + k)) === hex(f))).toBe(true);
            sa.wipe();
          },
        ),
        { numRuns: 80 },
      );
    });

    it('undecidedOnly: a second run, for another SA, over what the first left; the first run\'s outcomes and output untouched, the room that of the frames left', () => {
      const base: Setup = { suite: 'GCM-AES-128', key: new Uint8Array(32).fill(7), ssci: new Uint8Array(4), salt: new Uint8Array(12), source: new Uint8Array([2, 0, 0, 0, 0, 1]), port: 1, form: 'sc', confidentiality: true, offset: 0, clearTags: 0, an: 1 };
      const other: Setup = { ...base, key: new Uint8Array(32).fill(9), source: new Uint8Array([2, 0, 0, 0, 0, 2]), an: 0 };
      const [sa, sb] = [saOf(base, backend), saOf(other, backend)];
      const users = [70, 20, 300, 46, 5, 100].map((n, i) => new Uint8Array(n).fill(i));
      const plain = users.map((u, i) => plainFrame(i % 2 === 0 ? base : other, u, new Uint8Array(6)));
      const frames = plain.map((f, i) => protect(i % 2 === 0 ? sa : sb, f, { ...options(i % 2 === 0 ? base : other), pn: BigInt(10 + i) }));
      const input = pack(frames, [], 0);
      // Just the room the call promises for all frames: each one's length + 32.
      const output = packedFrames(frames.length, frames.reduce((a, f) => a + f.length + 32, 0));
      const outcomes = packedOutcomes(frames.length);
      const run = (s: Setup, ctx: SaContext, undecidedOnly: boolean, outStart: number): PackedReceiveControl => {
        const c: PackedReceiveControl = { first: 0, count: frames.length, outStart, lowestPnHigh: 0, lowestPnLow: 1, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
        validatePacked(ctx, { sci: sciOf(s), an: s.an, confidentialityOffset: 0, clearTags: 0, validateFrames: 'Strict', replayProtect: true, pointToPoint: false, undecidedOnly }, input, output, outcomes, c);
        return c;
      };
      const first = run(base, sa, false, 0);
      expect([...outcomes.codes].map((x) => PACKED_CODE_NAMES[x])).toEqual(['InPktsOK', 'None', 'InPktsOK', 'None', 'InPktsOK', 'None']);
      const kept = [0, 2, 4].map((i) => [outcomes.pnLow[i], output.offsets[i], hex(packedFrame(output, i))]);
      const second = run(other, sb, true, first.outEnd);
      expect(second.handled).toBe(3);
      expect([...outcomes.codes].map((x) => PACKED_CODE_NAMES[x])).toEqual(Array<string>(6).fill('InPktsOK'));
      expect([0, 2, 4].map((i) => [outcomes.pnLow[i], output.offsets[i], hex(packedFrame(output, i))])).toEqual(kept);
      expect(frames.map((_, i) => [outcomes.pnLow[i], hex(packedFrame(output, i))])).toEqual(plain.map((f, i) => [10 + i, hex(f)]));
      // Without undecidedOnly the same call asks room for every frame again.
      expect(() => run(other, sb, false, first.outEnd)).toThrow(/output.data/);
      sa.wipe();
      sb.wipe();
    });

    it('leaves what is not a SecTAG of its run to the general path, and codes every SecTAG rule as InPktsBadTag', () => {
      const s: Setup = { suite: 'GCM-AES-128', key: new Uint8Array(32).fill(7), ssci: new Uint8Array(4), salt: new Uint8Array(12), source: new Uint8Array([2, 0, 0, 0, 0, 1]), port: 1, form: 'sc', confidentiality: true, offset: 0, clearTags: 0, an: 1 };
      const sa = saOf(s, backend);
      const o = options(s);
      const good = protect(sa, plainFrame(s, new Uint8Array(70), new Uint8Array(6)), { ...o, pn: 9n });
      const untagged = plainFrame(s, new Uint8Array([0x08, 0x00, 1, 2]), new Uint8Array(6));
      const uncontrolled = Uint8Array.from(good);
      uncontrolled[14] = (uncontrolled[14]! & ~0x04) | 0x08; // E=1, C=0
      const bad = (at: number, v: number): Uint8Array => {
        const f = Uint8Array.from(good);
        f[at] = v;
        return f;
      };
      const frames = [good, untagged, uncontrolled, bad(14, good[14]! | 0x80), bad(14, good[14]! | 0x40), bad(15, 0x40), bad(15, 49), bad(15, 3), good.subarray(0, 20), bad(16, 0)];
      for (let k = 16; k < 20; k++) frames[frames.length - 1]![k] = 0; // PN 0
      const input = pack(frames, [], 0);
      const output = packedFrames(frames.length, frames.reduce((a, f) => a + f.length + 32, 0));
      const outcomes = packedOutcomes(frames.length);
      const c: PackedReceiveControl = { first: 0, count: frames.length, outStart: 0, lowestPnHigh: 0, lowestPnLow: 1, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
      validatePacked(sa, { sci: o.sci, an: 1, confidentialityOffset: 0, clearTags: 0, validateFrames: 'Strict', replayProtect: true, pointToPoint: false }, input, output, outcomes, c);
      expect([...outcomes.codes].map((x) => PACKED_CODE_NAMES[x])).toEqual([
        'InPktsOK',
        'None',
        'None',
        'InPktsBadTag', // V=1
        'InPktsBadTag', // ES with SC
        'InPktsBadTag', // SL's reserved bits
        'InPktsBadTag', // SL 49
        'InPktsBadTag', // SL disagrees with the length
        'InPktsBadTag', // cut short
        'InPktsBadTag', // PN 0 outside XPN
      ]);
      expect(PackedCode.InPktsOK).toBe(16);
      // Bad arguments: a typed error naming what, before anything is written.
      const before = hex(output.data);
      expect(() => validatePacked(sa, { sci: o.sci, an: 1, confidentialityOffset: 0, clearTags: 0, validateFrames: 'Strict', replayProtect: true, pointToPoint: false }, { ...input, offsets: Uint32Array.from(input.offsets, (x, k) => (k === 4 ? input.data.length : x)) }, output, outcomes, c)).toThrow(/input frame 4: expected inside data/);
      expect(() => validatePacked(sa, { sci: o.sci, an: 1, confidentialityOffset: 0, clearTags: 0, validateFrames: 'Strict', replayProtect: true, pointToPoint: false }, input, output, outcomes, { ...c, outStart: 100 })).toThrow(/output.data: expected room for/);
      expect(() => validatePacked(sa, { sci: o.sci, an: 1, confidentialityOffset: 0, clearTags: 0, validateFrames: 'Lax' as PackedValidateFrames, replayProtect: true, pointToPoint: false }, input, output, outcomes, c)).toThrow(/validateFrames: expected/);
      expect(hex(output.data)).toBe(before);
      sa.wipe();
    });
  });
});
