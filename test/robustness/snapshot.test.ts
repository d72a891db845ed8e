/**
 * A packet number is never reused under one SAK, across restarts: SecY.snapshot() / persisted() /
 * restore() ("save ahead with headroom"), after a clean stop and after crashes at any moment. Every
 * (SAK, PN) pair a transmitter ever sends is tracked; none may appear twice.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITES, type CipherSuiteName } from '../../src/crypto/suite.js';
import { SecY, type PersistNeededEvent, type TransmitSnapshot } from '../../src/secy/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { toHex } from '../../src/util/hex.js';

afterEach(() => vi.restoreAllMocks());

const SCI = Uint8Array.from([2, 0, 0, 0, 0, 0x0a, 0, 1]);
const PEER = Uint8Array.from([2, 0, 0, 0, 0, 0x0b, 0, 1]);
const FRAME = Uint8Array.from([...PEER.subarray(0, 6), ...SCI.subarray(0, 6), 0x08, 0x00, 1, 2, 3, 4]);

function sak(suite: CipherSuiteName, n: number): Uint8Array {
  return Uint8Array.from({ length: CIPHER_SUITES[suite].keyLength }, (_, i) => (n * 37 + i * 11 + 1) & 0xff);
}
const xpn = (suite: CipherSuiteName) => (CIPHER_SUITES[suite].xpn ? { ssci: Uint8Array.of(0, 0, 0, 7), salt: new Uint8Array(12).fill(0x33) } : {});

/** Every (SAK, PN) pair sent, across every incarnation of the transmitter. */
class PnLedger {
  private readonly seen = new Set<string>();
  readonly repeats: string[] = [];
  sent = 0;
  record(key: Uint8Array, pn: bigint): void {
    const id = `${toHex(key)}/${pn}`;
    if (this.seen.has(id)) this.repeats.push(id);
    this.seen.add(id);
    this.sent++;
  }
}

/** A transmitter whose SAKs (by AN) the test knows, as its KaY would. */
class Station {
  readonly secy: SecY;
  readonly keys: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];
  refused = 0;
  constructor(
    readonly suite: CipherSuiteName,
    readonly ledger: PnLedger,
    pnHeadroom?: bigint,
  ) {
    this.secy = new SecY({ sci: SCI, cipherSuite: suite, ...(pnHeadroom !== undefined ? { pnHeadroom } : {}) });
  }
  install(an: number, key: Uint8Array, nextPN = 1n): void {
    if (this.secy.transmitSAState(an)) this.secy.deleteTransmitSA(an);
    this.secy.createTransmitSA({ an, sak: key, nextPN, enable: true, ...xpn(this.suite) });
    this.keys[an] = key;
  }
  send(n: number): void {
    for (let i = 0; i < n; i++) {
      const o = this.secy.transmit(FRAME);
      if (o.kind === 'dropped') {
        this.refused++;
        continue;
      }
      this.ledger.record(this.keys[o.an!]!, o.pn!);
    }
  }
}

describe('snapshot and restore: no PN is sent twice under one SAK', () => {
  it('a clean stop: a final snapshot resumes at nextPN exactly, nothing skipped', () => {
    const ledger = new PnLedger();
    const a = new Station('GCM-AES-128', ledger);
    a.install(0, sak('GCM-AES-128', 1));
    a.send(100);
    const stored = JSON.stringify(a.secy.snapshot({ final: true }));
    a.send(1); // a final snapshot stops the transmitter: nothing it does not cover can go out
    expect(a.refused).toBe(1);

    const b = new Station('GCM-AES-128', ledger);
    const events: PersistNeededEvent[] = [];
    b.secy.on('persistNeeded', (e) => events.push(e));
    b.install(0, sak('GCM-AES-128', 1)); // the KaY installs the same SAK again, knowing no PN
    expect(b.secy.restore(JSON.parse(stored))).toEqual({ resumed: [0], pending: [] });
    expect(events).toEqual([{ sci: '02000000000a0001', an: 0, nextPN: 101n, persistedPN: 101n }]);
    b.send(1); // restored, but no snapshot covers what comes next yet
    expect(b.refused).toBe(1);
    b.secy.persisted(b.secy.snapshot());
    b.send(50);
    expect(b.secy.transmitSAState(0)).toMatchObject({ nextPN: 151n, persistedPN: 101n + 65_536n });
    expect(ledger.repeats).toEqual([]);
    expect(ledger.sent).toBe(150);
  });

  it('a crash: the stored snapshot is older than what was sent; the restored SA skips PNs, never repeats', () => {
    const ledger = new PnLedger();
    const a = new Station('GCM-AES-XPN-128', ledger, 1000n);
    let disk = '';
    const persist = (s: SecY) => () => {
      const snap = s.snapshot();
      disk = JSON.stringify(snap); // "durably stored"
      s.persisted(snap);
    };
    a.secy.on('persistNeeded', persist(a.secy));
    a.install(0, sak('GCM-AES-XPN-128', 1), 0xffff_fe00n); // runs across 2^32
    a.secy.persisted(a.secy.snapshot());
    disk = JSON.stringify(a.secy.snapshot());
    a.secy.persisted(JSON.parse(disk) as TransmitSnapshot);
    a.send(2500);
    expect(a.refused).toBe(0); // persistNeeded at half the headroom kept it going
    const sentBeforeCrash = a.secy.transmitSAState(0)!.nextPN;
    // crash: `a` is gone without a word; `disk` holds the last persisted snapshot
    const b = new Station('GCM-AES-XPN-128', ledger, 1000n);
    b.secy.on('persistNeeded', persist(b.secy));
    b.install(0, sak('GCM-AES-XPN-128', 1));
    b.secy.restore(JSON.parse(disk));
    const resumed = b.secy.transmitSAState(0)!.nextPN;
    expect(resumed).toBeGreaterThanOrEqual(sentBeforeCrash);
    expect(resumed - sentBeforeCrash).toBeLessThanOrEqual(1000n); // at most the headroom skipped
    b.send(500);
    expect(b.refused).toBe(0);
    expect(ledger.repeats).toEqual([]);
  });

  it('without a snapshot a restart reuses PNs: the ledger would see it (the test can fail)', () => {
    const ledger = new PnLedger();
    const a = new Station('GCM-AES-128', ledger);
    a.install(0, sak('GCM-AES-128', 1));
    a.send(10);
    const b = new Station('GCM-AES-128', ledger);
    b.install(0, sak('GCM-AES-128', 1));
    b.send(10);
    expect(ledger.repeats).toHaveLength(10);
  });

  it('matches SAs by key, not AN: a SAK installed again under another AN, or after restore, resumes above its PNs', () => {
    const ledger = new PnLedger();
    const a = new Station('GCM-AES-256', ledger, 10n);
    a.install(0, sak('GCM-AES-256', 1));
    a.install(1, sak('GCM-AES-256', 2));
    a.secy.setEncodingSA(0);
    a.send(7);
    a.secy.setEncodingSA(1);
    a.send(3);
    const stored = a.secy.snapshot();
    const b = new Station('GCM-AES-256', ledger, 10n);
    b.install(2, sak('GCM-AES-256', 1)); // AN 0's SAK, now under AN 2
    const r = b.secy.restore(stored);
    expect(r.resumed).toEqual([2]);
    expect(r.pending).toHaveLength(1); // AN 1's SAK is not installed yet
    b.install(3, sak('GCM-AES-256', 2)); // ... and now it is, under AN 3: it starts at its resume point
    expect(b.secy.transmitSAState(2)!.nextPN).toBe(18n);
    expect(b.secy.transmitSAState(3)!.nextPN).toBe(14n);
    b.secy.persisted(b.secy.snapshot());
    for (const an of [2, 3]) {
      b.secy.setEncodingSA(an);
      b.send(5);
    }
    expect(ledger.repeats).toEqual([]);
    // A different SAK (a new key from MKA) is a fresh PN space: the snapshot does not apply to it.
    const c = new Station('GCM-AES-256', ledger, 10n);
    c.install(0, sak('GCM-AES-256', 9));
    expect(c.secy.restore(stored).resumed).toEqual([]);
    expect(c.secy.transmitSAState(0)!.nextPN).toBe(1n);
  });

  it('persistNeeded at half the headroom, a refusal (named) at the mark, and going on once a newer snapshot is persisted', () => {
    const ledger = new PnLedger();
    const a = new Station('GCM-AES-128', ledger, 8n);
    a.install(0, sak('GCM-AES-128', 1));
    const events: bigint[] = [];
    a.secy.on('persistNeeded', (e) => events.push(e.nextPN));
    a.secy.persisted(a.secy.snapshot()); // resume point 1 + 8 = 9: PNs 1-8 may go
    a.send(3);
    expect(events).toEqual([]);
    a.send(2); // nextPN reaches 9 - 4 = 5
    expect(events).toEqual([5n]);
    a.send(3); // PNs 6, 7, 8
    const o = a.secy.transmit(FRAME);
    expect(o).toMatchObject({ kind: 'dropped', counter: 'SimOutPktsPNExhausted' });
    expect(o.kind === 'dropped' && o.reason).toBe(
      "transmit SA 0 reached PN 9, the last persisted snapshot's mark: persist a newer snapshot (persistNeeded)",
    );
    a.secy.persisted(a.secy.snapshot());
    expect(a.secy.transmitSAState(0)!.persistedPN).toBe(17n);
    a.send(4);
    expect(a.refused).toBe(0);
    expect(a.secy.counters().secy.SimOutPktsPNExhausted).toBe(1);
    expect(ledger.sent).toBe(12);
  });

  it('under armed persistence, a newly installed SA sends nothing until a snapshot covers it', () => {
    const ledger = new PnLedger();
    const a = new Station('GCM-AES-128', ledger);
    a.install(0, sak('GCM-AES-128', 1));
    a.secy.persisted(a.secy.snapshot());
    const needed: number[] = [];
    a.secy.on('persistNeeded', (e) => needed.push(e.an));
    a.install(1, sak('GCM-AES-128', 2));
    expect(needed).toEqual([1]);
    a.send(1);
    expect(a.refused).toBe(1);
    a.secy.persisted(a.secy.snapshot());
    a.send(1);
    expect(a.refused).toBe(1);
  });

  it('snapshots go to storage in order, are restored once, and only into the SecY they describe', () => {
    const a = new SecY({ sci: SCI });
    a.createTransmitSA({ an: 0, sak: sak('GCM-AES-128', 1), enable: true });
    const s1 = a.snapshot();
    const s2 = a.snapshot();
    a.persisted(s2);
    expect(() => a.persisted(s1)).toThrow(new ConfigError('snapshot.sequence', 'above 2 (persist snapshots in the order taken)', '1'));
    const b = new SecY({ sci: SCI });
    b.restore(s2);
    expect(() => b.restore(s2)).toThrow(/^snapshot\.sequence: expected above 2 \(a snapshot not yet restored/);
    expect(() => new SecY({ sci: PEER }).restore(s2)).toThrow("snapshot.sci: expected 02000000000b0001 (this SecY's SCI), got 02000000000a0001");
    expect(() => new SecY({ sci: SCI, cipherSuite: 'GCM-AES-256' }).restore(s2)).toThrow(
      'snapshot.cipherSuite: expected GCM-AES-256 (this SecY\'s cipher suite), got "GCM-AES-128"',
    );
  });

  it('holds no key material: only a one-way key identifier', () => {
    for (const suite of ['GCM-AES-128', 'GCM-AES-XPN-256'] as const) {
      const a = new Station(suite, new PnLedger());
      const key = sak(suite, 5);
      a.install(0, key);
      a.send(3);
      const text = JSON.stringify(a.secy.snapshot()).toLowerCase();
      expect(text).not.toContain(toHex(key));
      for (let i = 0; i + 4 <= key.length; i += 4) expect(text).not.toContain(toHex(key.subarray(i, i + 4)));
      if (CIPHER_SUITES[suite].xpn) expect(text).not.toContain('333333333333');
      expect(Object.keys(a.secy.snapshot().sas[0]!).sort()).toEqual(['an', 'counters', 'enableTransmit', 'keyId', 'nextPN', 'resumePN']);
    }
  });

  it('names a SAK by SHA-256 over the label, the suite, the SAK, SSCI and salt, cut to 128 bits (node:crypto as the oracle)', () => {
    for (const suite of ['GCM-AES-128', 'GCM-AES-256', 'GCM-AES-XPN-128'] as const) {
      const s = CIPHER_SUITES[suite];
      const key = Uint8Array.from({ length: s.keyLength }, (_, i) => i * 7 + 1);
      const xpn = s.xpn ? { ssci: Uint8Array.of(0, 0, 0, 9), salt: new Uint8Array(12).fill(0x5a) } : undefined;
      const secy = new SecY({ sci: '02:00:00:00:00:01:00:01', cipherSuite: suite });
      secy.createTransmitSA({ an: 2, sak: key, ...xpn });
      const h = createHash('sha256').update(`macsec-sim SAK id\0${suite}\0`).update(key);
      if (xpn) h.update(xpn.ssci).update(xpn.salt);
      expect(secy.snapshot().sas[0]!.keyId).toBe(h.digest('hex').slice(0, 32));
    }
  });

  it('property: any schedule of sends, snapshots, lost writes, rekeys and crashes never repeats a (SAK, PN) pair', () => {
    type Op =
      | { readonly op: 'send'; readonly n: number }
      | { readonly op: 'flush' }
      | { readonly op: 'rekey' }
      | { readonly op: 'crash'; readonly beforeFlush: boolean }
      | { readonly op: 'stop' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.nat({ max: 40 }).map((n) => ({ op: 'send' as const, n })) },
      { weight: 3, arbitrary: fc.constant({ op: 'flush' as const }) },
      { weight: 1, arbitrary: fc.constant({ op: 'rekey' as const }) },
      { weight: 2, arbitrary: fc.boolean().map((beforeFlush) => ({ op: 'crash' as const, beforeFlush })) },
      { weight: 1, arbitrary: fc.constant({ op: 'stop' as const }) },
    );
    fc.assert(
      fc.property(fc.constantFrom<CipherSuiteName>('GCM-AES-128', 'GCM-AES-XPN-128'), fc.bigInt({ min: 0n, max: 30n }), fc.array(op, { maxLength: 40 }), (suite, headroom, ops) => {
        const ledger = new PnLedger();
        let disk: string | undefined;
        /** Snapshots taken (on persistNeeded) but not yet written: a crash loses them. */
        let pending: TransmitSnapshot[] = [];
        let keyCount = 1;
        let an = 0;
        /** The KaY's view: which SAK is under which AN (it survives crashes; the SecY does not). */
        const kay: (Uint8Array | undefined)[] = [sak(suite, 1), undefined, undefined, undefined];
        const start = CIPHER_SUITES[suite].xpn ? 0xffff_fff0n : 1n;
        const boot = (): Station => {
          const s = new Station(suite, ledger, headroom);
          s.secy.on('persistNeeded', () => pending.push(s.secy.snapshot()));
          kay.forEach((k, i) => k && s.install(i, k, start));
          s.secy.setEncodingSA(an);
          if (disk !== undefined) s.secy.restore(JSON.parse(disk));
          else s.secy.persisted(s.secy.snapshot()); // first boot: persistence armed from the start
          return s;
        };
        const flush = (s: Station): void => {
          const last = pending.at(-1) ?? s.secy.snapshot();
          disk = JSON.stringify(last);
          s.secy.persisted(last);
          pending = [];
        };
        let s = boot();
        disk = JSON.stringify(s.secy.snapshot());
        for (const o of ops) {
          if (o.op === 'send') s.send(o.n);
          else if (o.op === 'flush') flush(s);
          else if (o.op === 'rekey') {
            an = (an + 1) % 4;
            kay[an] = sak(suite, ++keyCount);
            s.install(an, kay[an]!, start);
          } else if (o.op === 'stop') {
            const last = s.secy.snapshot({ final: true });
            disk = JSON.stringify(last);
            s.secy.persisted(last);
            pending = [];
            s = boot();
          } else {
            if (!o.beforeFlush) flush(s);
            pending = [];
            s = boot();
          }
        }
        expect(ledger.repeats).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('keys are wiped when their SA goes', () => {
  it('deleteTransmitSA, deleteReceiveSA, deleteReceiveSC and destroy wipe every SA key they remove', () => {
    const wipe = vi.spyOn(SaContext.prototype, 'wipe');
    const a = new SecY({ sci: SCI });
    a.createTransmitSA({ an: 0, sak: sak('GCM-AES-128', 1), enable: true });
    a.createTransmitSA({ an: 1, sak: sak('GCM-AES-128', 2) });
    a.createReceiveSC(PEER);
    a.createReceiveSA(PEER, { an: 0, sak: sak('GCM-AES-128', 3), enable: true });
    a.createReceiveSA(PEER, { an: 1, sak: sak('GCM-AES-128', 4), enable: true });
    a.createReceiveSA(PEER, { an: 2, sak: sak('GCM-AES-128', 5), enable: true });
    const wiped = (): SaContext[] => wipe.mock.contexts as SaContext[];

    a.deleteTransmitSA(1);
    expect(wiped()).toHaveLength(1);
    a.deleteReceiveSA(PEER, 2);
    expect(wiped()).toHaveLength(2);
    a.deleteReceiveSC(PEER);
    expect(wiped()).toHaveLength(4);
    a.destroy();
    expect(wiped()).toHaveLength(5);
    for (const ctx of wiped()) {
      expect(ctx.isWiped).toBe(true);
      // A wiped context cannot be used: its key is gone.
      expect(() => ctx.seal(new Uint8Array(12), new Uint8Array(32), 0, 0, 0, 16, 16)).toThrow(ConfigError);
    }
    expect(new Set(wiped()).size).toBe(5);
  });

  it('a key rollover wipes the replaced SA', () => {
    const wipe = vi.spyOn(SaContext.prototype, 'wipe');
    const s = new Station('GCM-AES-128', new PnLedger());
    s.install(0, sak('GCM-AES-128', 1));
    s.install(0, sak('GCM-AES-128', 2)); // delete, then install anew under the same AN
    expect(wipe.mock.contexts).toHaveLength(1);
    expect((wipe.mock.contexts[0] as SaContext).isWiped).toBe(true);
  });
});
