import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CipherSuiteName } from '../../src/crypto/suite.js';
import { KaY, type KayEvent, type KayOptions, type KayReceiveResult } from '../../src/mka/kay.js';
import { deriveIck, deriveKek, mkpduIcv, wrapSak } from '../../src/mka/keys.js';
import { emitMkpdu, parseMkpdu, type MkpduRepr } from '../../src/mka/mkpdu.js';
import { Clock } from '../../src/link/clock.js';
import { Rng } from '../../src/util/rng.js';
import { SecY } from '../../src/secy/secy.js';
import type { SecYControls } from '../../src/secy/controls.js';
import { equalBytes, fromHex, toHex } from '../../src/util/hex.js';
import { makeSci } from '../../src/wire/sci.js';

const S = 1_000_000_000_000; // ps
const CAK = fromHex('135bd758b0ee5c11c55ff6ab19fdb199');
const CKN = fromHex('96437a93ccf10d9dfe347846cce52c7d');
const HOP = 1_000_000; // 1 µs from one port to another

interface Member {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly secy: SecY;
  readonly kay: KaY;
  readonly events: KayEvent[];
  readonly results: KayReceiveResult[];
  silent: boolean;
  timer: number | undefined;
}

interface MemberOptions extends Partial<Omit<KayOptions, 'secy' | 'random' | 'send'>> {
  readonly suite?: CipherSuiteName;
  readonly controls?: Partial<SecYControls>;
}

/** KaYs on one shared medium (every MKPDU reaches every other member), on a discrete-event clock. */
class Bus {
  readonly clock = new Clock();
  readonly members: Member[] = [];
  /** Every MKPDU sent, with its sender. */
  readonly sent: { from: string; frame: Uint8Array }[] = [];
  /** Changes (or drops, with undefined) MKPDUs on their way. */
  meddle: ((frame: Uint8Array, from: string) => Uint8Array | undefined) | undefined;

  add(name: string, lastOctet: number, options: MemberOptions = {}): Member {
    const mac = Uint8Array.of(2, 0, 0, 0, 0, lastOctet);
    const secy = new SecY({ sci: makeSci(mac, 1), cipherSuite: options.suite ?? 'GCM-AES-128', ...options.controls });
    const rng = new Rng(lastOctet * 7919);
    const events: KayEvent[] = [];
    const { suite: _s, controls: _c, ...kayOptions } = options;
    const member: Member = {
      name,
      mac,
      secy,
      events,
      results: [],
      silent: false,
      timer: undefined,
      kay: new KaY({
        cak: CAK,
        ckn: CKN,
        ...kayOptions,
        secy,
        random: (n) => rng.fill(new Uint8Array(n)),
        send: (frame) => this.send(member, frame),
        wake: () => this.schedule(member),
        onEvent: (e) => events.push(e),
      }),
    };
    this.members.push(member);
    this.clock.at(this.clock.now, () => this.schedule(member));
    return member;
  }

  private send(from: Member, frame: Uint8Array): void {
    this.sent.push({ from: from.name, frame });
    const bytes = this.meddle === undefined ? frame : this.meddle(frame, from.name);
    if (bytes === undefined) return;
    for (const to of this.members) {
      if (to === from) continue;
      this.clock.after(HOP, () => this.deliver(to, bytes));
    }
  }

  deliver(to: Member, frame: Uint8Array): KayReceiveResult | undefined {
    if (to.silent) return undefined;
    const r = to.kay.receive(frame, this.clock.now);
    to.results.push(r);
    this.schedule(to);
    return r;
  }

  schedule(m: Member): void {
    if (m.silent) return;
    const t = Math.max(this.clock.now, m.kay.nextTimeoutPs());
    if (m.timer !== undefined && m.timer <= t) return;
    m.timer = t;
    this.clock.at(t, () => {
      if (m.timer !== t) return;
      m.timer = undefined;
      if (m.silent) return;
      m.kay.tick(this.clock.now);
      this.schedule(m);
    });
  }

  run(untilPs: number): void {
    this.clock.run(untilPs);
  }
}

/** A test frame from `from` through its SecY and into `to`'s: the counter it lands in at `to`. */
function carry(from: Member, to: Member, size = 100): string {
  const frame = new Uint8Array(size);
  frame.set(to.mac, 0);
  frame.set(from.mac, 6);
  frame.set([0x88, 0xb5], 12);
  frame.fill(0x5a, 14);
  const out = from.secy.transmit(frame);
  if (out.kind !== 'transmitted') return `refused ${out.counter}`;
  return to.secy.receive(out.frame).counter ?? 'delivered';
}

const rejections = (m: Member) => m.kay.counters.mkpdusRejected;

describe('two KaYs agree a SAK (802.1X clause 9)', () => {
  it('peers go live, the lower priority value is elected, the SAK is installed receive-first, both transmit under the same AN', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a, { keyServerPriority: 32 });
    const b = bus.add('b', 0x0b, { keyServerPriority: 16 });
    expect(carry(a, b)).toBe('InPktsUntagged'); // before any SAK, policy unsecured: in clear, accepted (Check)
    bus.run(1 * S);
    const sa = a.kay.status();
    const sb = b.kay.status();
    expect(sa.livePeers.map((p) => p.sci)).toEqual([sb.sci]);
    expect(sb.livePeers.map((p) => p.sci)).toEqual([sa.sci]);
    expect(sb.keyServer).toEqual({ sci: sb.sci, self: true });
    expect(sa.keyServer).toEqual({ sci: sb.sci, self: false });
    expect(sa.transmitKey).toMatchObject({ kn: 1, an: 0, keyServerMi: sb.mi, tx: true, rx: true });
    expect(sb.transmitKey).toMatchObject({ kn: 1, an: 0, keyServerMi: sb.mi, tx: true, rx: true });
    // Each SecY's encoding AN is the AN of the receive SA its peer holds for it.
    expect(b.secy.receiveSAState(a.secy.sci, a.secy.encodingSA)?.inUse).toBe(true);
    expect(a.secy.receiveSAState(b.secy.sci, b.secy.encodingSA)?.inUse).toBe(true);
    expect(carry(a, b)).toBe('InPktsOK');
    expect(carry(b, a)).toBe('InPktsOK');
    expect(a.secy.controls).toMatchObject({ protectFrames: true, validateFrames: 'Strict' });
    // The order of 12.4: every SAK installed before anyone transmits with it; the key server first.
    const order = [...a.events.map((e) => ({ ...e, who: 'a' })), ...b.events.map((e) => ({ ...e, who: 'b' }))]
      .filter((e) => e.kind === 'sak-installed' || e.kind === 'transmit')
      .sort((x, y) => x.atPs - y.atPs)
      .map((e) => `${e.who} ${e.kind}`);
    expect(order).toEqual(['b sak-installed', 'a sak-installed', 'b transmit', 'a transmit']);
    expect(b.kay.counters).toMatchObject({ saksDistributed: 1, saksInstalled: 1, transmitSwitches: 1, mkpdusRejected: {} });
    expect(a.kay.counters).toMatchObject({ saksDistributed: 0, saksInstalled: 1, transmitSwitches: 1, mkpdusRejected: {} });
  });

  it('key server election: lowest priority value, then lowest SCI; 0xFF never key server', () => {
    const elected = (pa: number, pb: number, lastA = 0x0a, lastB = 0x0b): string | undefined => {
      const bus = new Bus();
      const a = bus.add('a', lastA, { keyServerPriority: pa });
      const b = bus.add('b', lastB, { keyServerPriority: pb });
      bus.run(S);
      const ks = a.kay.status().keyServer;
      expect(b.kay.status().keyServer?.sci).toBe(ks?.sci); // both agree
      return ks === undefined ? undefined : ks.sci === a.kay.status().sci ? 'a' : 'b';
    };
    expect(elected(16, 32)).toBe('a');
    expect(elected(32, 16)).toBe('b');
    expect(elected(0, 255)).toBe('a');
    expect(elected(16, 16)).toBe('a'); // a's SCI 02..0a < b's 02..0b
    expect(elected(16, 16, 0x0c, 0x0b)).toBe('b'); // now b's SCI is the lower
    expect(elected(255, 16)).toBe('b');
    expect(elected(255, 255)).toBeUndefined(); // nobody may be key server: live peers, but no SAK
  });

  it('no key server, no SAK: live peers but traffic stays as the policy says', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a, { keyServerPriority: 255, policy: 'blocked' });
    const b = bus.add('b', 0x0b, { keyServerPriority: 255, policy: 'blocked' });
    bus.run(3 * S);
    expect(a.kay.status().livePeers).toHaveLength(1);
    expect(a.kay.status().latestKey).toBeUndefined();
    expect(carry(a, b)).toBe('refused SimOutPktsNoSA');
  });

  it('an XPN suite: SSCIs and salt agree on both sides, the Live Peer List carries the key server SSCI', () => {
    for (const suite of ['GCM-AES-XPN-128', 'GCM-AES-XPN-256'] as const) {
      const bus = new Bus();
      const a = bus.add('a', 0x0a, { suite });
      const b = bus.add('b', 0x0b, { suite });
      bus.run(S);
      expect(carry(a, b)).toBe('InPktsOK');
      expect(carry(b, a)).toBe('InPktsOK');
      const fromKs = bus.sent.filter((s) => s.from === 'a').map((s) => parseMkpdu(s.frame, () => deriveIck(CAK, CKN)));
      const withSak = fromKs.find((r) => r.ok && r.value.distributedSak !== undefined);
      expect(withSak?.ok && withSak.value.distributedSak?.key?.cipherSuite).toBe(suite === 'GCM-AES-XPN-128' ? 0x0080c20001000003n : 0x0080c20001000004n);
      expect(withSak?.ok && withSak.value.livePeers?.keyServerSsci).toBe(2); // b's SCI is the greater: SSCI 1; a's 2
      expect(withSak?.ok && withSak.value.xpn).toEqual({ suspensionTime: 0, latestLowestPnHigh: 0, oldLowestPnHigh: 0 });
    }
  });

  it('policy: unsecured is protectFrames off and validateFrames Check; blocked keeps protectFrames on without an SA', () => {
    const bus = new Bus();
    const u = bus.add('u', 0x0a, { policy: 'unsecured' });
    const k = bus.add('k', 0x0b, { policy: 'blocked' });
    expect(u.secy.controls).toMatchObject({ protectFrames: false, validateFrames: 'Check' });
    expect(k.secy.controls).toMatchObject({ protectFrames: true, validateFrames: 'Strict' });
    expect(carry(u, k)).toBe('InPktsNoTag');
    expect(carry(k, u)).toBe('refused SimOutPktsNoSA');
    bus.run(S);
    expect(u.secy.controls).toMatchObject({ protectFrames: true, validateFrames: 'Strict' });
    expect(carry(u, k)).toBe('InPktsOK');
  });

  it('the Distributed SAK carries the confidentiality the key server asks for; integrity only works too', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a, { confidentialityOffset: 'none' });
    const b = bus.add('b', 0x0b);
    bus.run(S);
    expect(a.secy.controls.confidentialityProtect).toBe(false);
    expect(b.secy.controls.confidentialityProtect).toBe(false);
    expect(carry(a, b)).toBe('InPktsOK');
    const bus30 = new Bus();
    const c = bus30.add('c', 0x0a, { confidentialityOffset: 30 });
    const d = bus30.add('d', 0x0b);
    bus30.run(S);
    expect(d.secy.controls).toMatchObject({ confidentialityProtect: true, confidentialityOffset: 30 });
    expect(carry(d, c)).toBe('InPktsOK');
  });
});

describe('rekeying', () => {
  it('the key server rekeys when its own PN passes the threshold; the old SAs are retired after the retire time', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a, { controls: { rekeyThreshold: 50n } });
    const b = bus.add('b', 0x0b, { controls: { rekeyThreshold: 50n } });
    bus.run(S);
    for (let i = 0; i < 60; i++) expect(carry(a, b)).toBe('InPktsOK');
    bus.run(1.5 * S);
    expect(a.kay.status().transmitKey).toMatchObject({ kn: 2, an: 1 });
    expect(b.kay.status().transmitKey).toMatchObject({ kn: 2, an: 1 });
    expect(a.events.find((e) => e.kind === 'sak-distributed' && e.kn === 2)?.reason).toMatch(/transmit PN 50 of AN 0 reached the rekey threshold 50/);
    // Until the retire time both ANs are there (frames in flight under the old key still validate) ...
    expect(b.secy.receiveSAState(a.secy.sci, 0)).toBeDefined();
    bus.run(6 * S);
    // ... then the old SAs go on both sides.
    expect(b.secy.receiveSAState(a.secy.sci, 0)).toBeUndefined();
    expect(a.secy.transmitSAState(0)).toBeUndefined();
    expect(a.secy.receiveSAState(b.secy.sci, 0)).toBeUndefined();
    expect(carry(a, b)).toBe('InPktsOK');
    expect(carry(b, a)).toBe('InPktsOK');
  });

  it('a peer whose PN passes the threshold tells the key server at once (SAK Use Lowest Acceptable PN)', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a, { controls: { rekeyThreshold: 40n } });
    const b = bus.add('b', 0x0b, { controls: { rekeyThreshold: 40n } });
    bus.run(S);
    const before = bus.sent.length;
    for (let i = 0; i < 45; i++) carry(b, a);
    bus.run(S + 100 * HOP); // far less than a hello time
    expect(bus.sent.length).toBeGreaterThan(before);
    expect(a.kay.status().transmitKey?.kn).toBe(2);
    expect(a.events.find((e) => e.kind === 'sak-distributed' && e.kn === 2)?.reason).toMatch(/SCI 02000000000b0001 transmits with PN 4\d, past the rekey threshold 40/);
  });

  it('firstTransmitPN starts the first SAK near the threshold; later SAKs start at PN 1', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a, { firstTransmitPN: 0xc000_0000n - 5n });
    const b = bus.add('b', 0x0b, { firstTransmitPN: 0xc000_0000n - 5n });
    bus.run(S);
    for (let i = 0; i < 10; i++) expect(carry(a, b)).toBe('InPktsOK');
    bus.run(2 * S);
    expect(a.kay.status().transmitKey?.kn).toBe(2);
    expect(a.secy.getTransmitNextPN(a.secy.encodingSA)).toBe(1n);
  });

  it('a peer joining or leaving makes the key server distribute a fresh SAK for the new membership', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a, { keyServerPriority: 1 });
    const b = bus.add('b', 0x0b);
    bus.run(S);
    expect(a.kay.status().transmitKey?.kn).toBe(1);
    const c = bus.add('c', 0x0c);
    bus.run(2 * S);
    for (const m of [a, b, c]) expect(m.kay.status().transmitKey?.kn).toBe(2);
    expect(a.events.find((e) => e.kn === 2 && e.kind === 'sak-distributed')?.reason).toBe('the Live Peers changed');
    for (const [x, y] of [[a, b], [b, c], [c, a], [a, c]] as const) expect(carry(x, y)).toBe('InPktsOK');
    c.silent = true;
    bus.run(10 * S);
    expect(a.kay.status().livePeers.map((p) => p.sci)).toEqual([b.kay.status().sci]);
    expect(a.kay.status().transmitKey?.kn).toBe(3);
    expect(b.kay.status().transmitKey?.kn).toBe(3);
    expect(a.secy.receiveSCIs()).toEqual([toHex(b.secy.sci)]);
    expect(carry(b, a)).toBe('InPktsOK');
  });
});

describe('peer loss', () => {
  it('a peer silent for the MKA Life Time is removed with its SAs; without Live Peers every SA goes and the policy applies', () => {
    for (const policy of ['unsecured', 'blocked'] as const) {
      const bus = new Bus();
      const a = bus.add('a', 0x0a, { policy });
      const b = bus.add('b', 0x0b, { policy });
      bus.run(5 * S);
      b.silent = true;
      const heard = a.results.length;
      bus.run(20 * S);
      expect(a.results.length).toBe(heard); // nothing from b after 5 s
      const removed = a.events.find((e) => e.kind === 'peer-removed')!;
      // b's last MKPDU came at most one hello time before it fell silent; a removes it a Life Time later.
      expect(removed.atPs).toBeGreaterThan(5 * S + 6 * S - 2 * S - 1);
      expect(removed.atPs).toBeLessThanOrEqual(5 * S + 6 * S);
      expect(a.secy.receiveSCIs()).toEqual([]);
      expect([0, 1, 2, 3].map((an) => a.secy.transmitSAState(an))).toEqual([undefined, undefined, undefined, undefined]);
      expect(a.kay.status()).toMatchObject({ livePeers: [], keyServer: undefined, latestKey: undefined, oldKey: undefined });
      expect(a.secy.controls).toMatchObject(policy === 'unsecured' ? { protectFrames: false, validateFrames: 'Check' } : { protectFrames: true, validateFrames: 'Strict' });
      expect(carry(b, a)).toBe('InPktsNoSCI'); // b's SecY still protects: a forgot b's channel
    }
  });
});

describe('bad MKPDUs are rejected with a reason and counted, never thrown (11.11.2)', () => {
  function pair(): { bus: Bus; a: Member; b: Member } {
    const bus = new Bus();
    const a = bus.add('a', 0x0a);
    const b = bus.add('b', 0x0b);
    bus.run(S);
    return { bus, a, b };
  }
  const lastFrom = (bus: Bus, name: string) => bus.sent.filter((s) => s.from === name).at(-1)!.frame;

  it('a tampered ICV: BAD_ICV', () => {
    const { bus, a, b } = pair();
    const f = lastFrom(bus, 'a').slice();
    f[f.length - 3]! ^= 0x10;
    expect(bus.deliver(b, f)).toMatchObject({ accepted: false, reason: 'BAD_ICV' });
    expect(rejections(b)).toEqual({ BAD_ICV: 1 });
    expect(a.kay.status().transmitKey?.kn).toBe(1); // nothing changed
  });

  it('a changed octet anywhere the ICV covers: BAD_ICV', () => {
    const { bus, b } = pair();
    const f = lastFrom(bus, 'a').slice();
    f[40]! ^= 1; // inside the Actor MI
    expect(bus.deliver(b, f)).toMatchObject({ accepted: false, reason: 'BAD_ICV' });
  });

  it('a CKN this KaY holds no CAK for: UNKNOWN_CKN', () => {
    const { bus, b } = pair();
    const other = fromHex('0102030405060708090a0b0c0d0e0f10');
    const f = emitMkpdu(
      { sa: Uint8Array.of(2, 0, 0, 0, 0, 0x0c), basic: { mkaVersion: 3, keyServerPriority: 0, keyServer: false, macsecDesired: true, macsecCapability: 3, sci: makeSci(Uint8Array.of(2, 0, 0, 0, 0, 0x0c), 1), mi: new Uint8Array(12).fill(7), mn: 1, ckn: other } },
      deriveIck(CAK, other),
    );
    expect(bus.deliver(b, f)).toMatchObject({ accepted: false, reason: 'UNKNOWN_CKN' });
  });

  it('a short body or a truncated frame: BAD_LENGTH or TRUNCATED', () => {
    const { bus, b } = pair();
    const f = lastFrom(bus, 'a');
    expect(bus.deliver(b, f.subarray(0, 40))).toMatchObject({ accepted: false, reason: 'TRUNCATED' });
    expect(bus.deliver(b, f.subarray(0, 16))).toMatchObject({ accepted: false, reason: 'TRUNCATED' });
    const short = f.slice(0, 18 + 28);
    short[16] = 0;
    short[17] = 28; // Packet Body Length below the 32-octet minimum
    expect(bus.deliver(b, short)).toMatchObject({ accepted: false, reason: 'BAD_LENGTH' });
    expect(rejections(b)).toEqual({ TRUNCATED: 2, BAD_LENGTH: 1 });
  });

  it('a replayed MKPDU: STALE_MN; our own MI: OWN_MI', () => {
    const { bus, a, b } = pair();
    const old = bus.sent.find((s) => s.from === 'a')!.frame;
    expect(bus.deliver(b, old)).toMatchObject({ accepted: false, reason: 'STALE_MN' });
    expect(bus.deliver(a, lastFrom(bus, 'a'))).toMatchObject({ accepted: false, reason: 'OWN_MI' });
  });

  it('any octets at all: a result, never an exception', () => {
    const { bus, b } = pair();
    const base = lastFrom(bus, 'a');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 199 }), fc.integer({ min: 0, max: 255 }), (junk, at, value) => {
        const mutated = base.slice();
        if (at < mutated.length) mutated[at] = value;
        for (const f of [junk, mutated, Uint8Array.of(...base.subarray(0, 18), ...junk)]) {
          const r = b.kay.receive(f, bus.clock.now);
          expect(typeof r.accepted).toBe('boolean');
        }
      }),
      { numRuns: 300 },
    );
    expect(b.kay.status().transmitKey?.kn).toBe(1);
  });

  it('a Distributed SAK that does not unwrap under the KEK is refused (UNWRAP_FAILED); the rest of the MKPDU counts', () => {
    // A hand-made key server x (priority 0) talking to KaY b.
    const bus = new Bus();
    const b = bus.add('b', 0x0b);
    bus.run(1000);
    const ick = deriveIck(CAK, CKN);
    const macX = Uint8Array.of(2, 0, 0, 0, 0, 0x01);
    const miX = new Uint8Array(12).fill(0x11);
    const basic = (mn: number, keyServer: boolean): MkpduRepr['basic'] => ({
      mkaVersion: 3, keyServerPriority: 0, keyServer, macsecDesired: true, macsecCapability: 3, sci: makeSci(macX, 1), mi: miX, mn, ckn: CKN,
    });
    expect(bus.deliver(b, emitMkpdu({ sa: macX, basic: basic(1, false) }, ick))).toEqual({ accepted: true });
    bus.run(1000 + 10 * HOP);
    const bFrame = parseMkpdu(bus.sent.at(-1)!.frame, () => ick);
    if (!bFrame.ok) throw bFrame.error;
    const bPeer = { mi: bFrame.value.basic.mi, mn: bFrame.value.basic.mn };
    const wrongKek = deriveKek(fromHex('00112233445566778899aabbccddeeff'), CKN);
    const distributed = emitMkpdu(
      {
        sa: macX,
        basic: basic(2, true),
        livePeers: { keyServerSsci: 0, peers: [bPeer] },
        distributedSak: { an: 0, confidentialityOffset: 1, key: { kn: 1, wrappedSak: wrapSak(wrongKek, new Uint8Array(16).fill(9)) } },
      },
      ick,
    );
    expect(bus.deliver(b, distributed)).toEqual({ accepted: true });
    expect(b.kay.status().livePeers).toHaveLength(1); // x listed b: live
    expect(b.kay.status().keyServer?.self).toBe(false);
    expect(b.kay.counters.saksRejected).toEqual({ UNWRAP_FAILED: 1 });
    expect(b.kay.status().latestKey).toBeUndefined();
    // The same SAK under the right KEK is installed.
    const right = emitMkpdu(
      {
        sa: macX,
        basic: basic(3, true),
        livePeers: { keyServerSsci: 0, peers: [bPeer] },
        distributedSak: { an: 2, confidentialityOffset: 1, key: { kn: 1, wrappedSak: wrapSak(deriveKek(CAK, CKN), new Uint8Array(16).fill(9)) } },
      },
      ick,
    );
    expect(bus.deliver(b, right)).toEqual({ accepted: true });
    expect(b.kay.status().latestKey).toMatchObject({ kn: 1, an: 2, rx: true, tx: false, keyServerMi: toHex(miX) });
    expect(b.secy.receiveSAState(makeSci(macX, 1), 2)?.inUse).toBe(true);
  });

  it('an MKPDU signed with another CAK under the same CKN: BAD_ICV, so no peer ever goes live', () => {
    const bus = new Bus();
    const a = bus.add('a', 0x0a);
    const b = bus.add('b', 0x0b, { cak: fromHex('135bd758b0ee5c11c55ff6ab19fdb19a') });
    bus.run(9 * S);
    expect(a.kay.status().livePeers).toEqual([]);
    expect(b.kay.status().livePeers).toEqual([]);
    expect(rejections(a)['BAD_ICV']).toBe(b.kay.counters.mkpdusSent);
    expect(b.kay.counters.mkpdusSent).toBe(5); // at 0, 2, 4, 6 and 8 s: hellos only
  });

  it('hostile MKPDUs with a valid ICV (a member of the CA misbehaving): results, never exceptions; the SecY stays usable', () => {
    const ick = deriveIck(CAK, CKN);
    const kek = deriveKek(CAK, CKN);
    const bus = new Bus();
    const b = bus.add('b', 0x0b);
    bus.run(1000);
    const bMi = parseMkpdu(bus.sent[0]!.frame, () => ick);
    if (!bMi.ok) throw bMi.error;
    const macX = Uint8Array.of(2, 0, 0, 0, 0, 0x01);
    const ki = fc.record({ mi: fc.constantFrom(new Uint8Array(12).fill(0x11), bMi.value.basic.mi, new Uint8Array(12)), kn: fc.integer({ min: 0, max: 4 }) });
    const set = fc.record({
      priority: fc.integer({ min: 0, max: 255 }),
      keyServer: fc.boolean(),
      listB: fc.boolean(),
      listedMn: fc.integer({ min: 0, max: 5 }),
      an: fc.integer({ min: 0, max: 3 }),
      offset: fc.constantFrom(0, 1, 2, 3),
      kn: fc.integer({ min: 0, max: 5 }),
      suite: fc.constantFrom(undefined, 0x0080c20001000001n, 0x0080c20001000002n, 0x1234n),
      goodWrap: fc.boolean(),
      sakLength: fc.constantFrom(16, 32),
      use: fc.option(fc.record({ latestAn: fc.integer({ min: 0, max: 3 }), latestTx: fc.boolean(), latestRx: fc.boolean(), latestKi: ki, lowest: fc.nat() }), { nil: undefined }),
      mi: fc.constantFrom(0x11, 0x12),
    });
    let mn = 1;
    fc.assert(
      fc.property(fc.array(set, { minLength: 1, maxLength: 6 }), (sets) => {
        for (const x of sets) {
          const sak = new Uint8Array(x.sakLength).fill(7);
          const wrappedSak = wrapSak(x.goodWrap ? kek : deriveKek(fromHex('00112233445566778899aabbccddeeff'), CKN), sak);
          const wrapOk = x.suite !== undefined || x.sakLength === 16;
          const repr: MkpduRepr = {
            sa: macX,
            basic: { mkaVersion: 3, keyServerPriority: x.priority, keyServer: x.keyServer, macsecDesired: true, macsecCapability: 3, sci: makeSci(macX, 1), mi: new Uint8Array(12).fill(x.mi), mn: mn++, ckn: CKN },
            ...(x.listB ? { livePeers: { keyServerSsci: 0, peers: [{ mi: bMi.value.basic.mi, mn: x.listedMn }] } } : {}),
            ...(x.use
              ? {
                  sakUse: {
                    latestAn: x.use.latestAn, latestTx: x.use.latestTx, latestRx: x.use.latestRx, oldAn: 0, oldTx: false, oldRx: false, plainTx: false, plainRx: false, delayProtect: false,
                    keys: { latestKi: x.use.latestKi, latestLowestPn: x.use.lowest % 2 ** 32, oldKi: x.use.latestKi, oldLowestPn: 0 },
                  },
                }
              : {}),
            ...(wrapOk ? { distributedSak: { an: x.an, confidentialityOffset: x.offset, key: { kn: x.kn, wrappedSak, ...(x.suite !== undefined ? { cipherSuite: x.suite } : {}) } } } : {}),
          };
          const r = b.kay.receive(emitMkpdu(repr, ick), bus.clock.now);
          expect(typeof r.accepted).toBe('boolean');
          b.kay.tick(bus.clock.now);
        }
      }),
      { numRuns: 300 },
    );
    // The property reached the interesting paths: SAKs installed, and refused for several reasons.
    expect(b.kay.counters.saksInstalled).toBeGreaterThan(0);
    expect(Object.keys(b.kay.counters.saksRejected).length).toBeGreaterThanOrEqual(3);
    // Whatever it went through, the SecY still works (its state is the KaY's business, its operations must not break).
    expect(() => b.secy.transmit(new Uint8Array(64))).not.toThrow();
  });

  it('the ICV is the AES-CMAC over DA..last set under the ICK, and our frames re-verify independently', () => {
    const { bus } = pair();
    const ick = deriveIck(CAK, CKN);
    for (const { frame } of bus.sent) {
      const icvAt = frame.length - 16;
      expect(equalBytes(mkpduIcv(ick, frame.subarray(0, icvAt)), frame.subarray(icvAt))).toBe(true);
    }
  });
});
