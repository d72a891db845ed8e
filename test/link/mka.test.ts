import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePcap } from '../../src/capture/index.js';
import { decodeMkpdu } from '../../src/mka/mkpdu.js';
import { renderResult } from '../../src/link/report.js';
import { builtinScenario } from '../../src/link/builtin.js';
import { decodeScenario } from '../../src/link/scenario.js';
import { conservation, isEapolFrame, simulate, type CapturedFrame, type SimulationResult } from '../../src/link/simulate.js';
import { readTrafficHeader } from '../../src/link/traffic.js';
import { toHex } from '../../src/util/hex.js';

const S = 1_000_000_000_000;
const doc = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'scenarios', `${name}.json`), 'utf8')) as Record<string, unknown>;
const run = (name: string, edit: (d: Record<string, unknown>) => void = () => {}): SimulationResult => {
  const d = doc(name);
  edit(d);
  return simulate(decodeScenario(d, name));
};
const mkaOf = (d: Record<string, unknown>) => d['mka'] as Record<string, unknown>;

const sequences = (frames: readonly CapturedFrame[], from?: number): number[] =>
  frames.filter((f) => from === undefined || f.atPs >= from).flatMap((f) => readTrafficHeader(f.data)?.sequence ?? []);

/** Test frames `from` offered once its port transmitted with the SAK that were never delivered. */
function lostAfterProtection(r: SimulationResult, from: 'a' | 'b'): number[] {
  const to = from === 'a' ? 'b' : 'a';
  const start = r.mka!.sides[from].securedAtPs!;
  const delivered = new Set(sequences(r.captures[`${to}-received`]));
  return sequences(r.captures[`${from}-sent`], start).filter((s) => !delivered.has(s));
}

/** Both ports on one SAK: same KN from the same key server, each encoding AN held as a receive SA by the peer. */
function expectSameSak(r: SimulationResult): void {
  const { a, b } = r.mka!.sides;
  expect(a.kay.transmitKey).toBeDefined();
  expect(a.kay.transmitKey).toEqual(b.kay.transmitKey);
  expect(b.secy.receiveSAs).toContainEqual({ sci: a.kay.sci, an: a.secy.encodingAN });
  expect(a.secy.receiveSAs).toContainEqual({ sci: b.kay.sci, an: b.secy.encodingAN });
  expect(a.secy.encodingAN).toBe(a.kay.transmitKey!.an);
}

describe('mka-handshake: two ports come up and protect traffic with an agreed SAK', () => {
  const r = simulate(builtinScenario('mka-handshake'));
  const m = r.mka!;

  it('peers live, key server elected by priority, one SAK distributed, both on it', () => {
    expect(m.sides.a.kay.keyServer).toEqual({ sci: m.sides.a.kay.sci, self: true }); // priority 16 < 32
    expect(m.sides.b.kay.keyServer).toEqual({ sci: m.sides.a.kay.sci, self: false });
    expect(m.sides.a.kay.livePeers.map((p) => p.sci)).toEqual([m.sides.b.kay.sci]);
    expect(m.distributed.map((d) => [d.side, d.kn, d.an])).toEqual([['a', 1, 0]]);
    expectSameSak(r);
    expect(m.sides.a.kay.counters.mkpdusRejected).toEqual({});
    expect(m.sides.b.kay.counters.mkpdusRejected).toEqual({});
  });

  it('traffic after the handshake is InPktsOK; nothing is lost, before or after protection starts', () => {
    for (const [dir, from] of [['a->b', 'a'], ['b->a', 'b']] as const) {
      const d = r.directions[dir];
      expect(d.lost).toBe(0);
      expect(lostAfterProtection(r, from)).toEqual([]);
      const after = sequences(r.captures[`${from}-sent`], m.sides[from].securedAtPs).length;
      expect(after).toBeGreaterThan(0);
      expect(d.outcomes['InPktsOK']).toBe(after);
      expect((d.outcomes['InPktsOK'] ?? 0) + (d.outcomes['InPktsUntagged'] ?? 0)).toBe(d.offered); // the rest went in clear, first
    }
  });

  it('MKPDUs cross the Uncontrolled Port: never protected, counted on the Controlled Port, all accepted by the KaY', () => {
    const mkpdus = r.captures.wire.filter((f) => isEapolFrame(f.data));
    expect(mkpdus.length).toBe(m.sides.a.kay.counters.mkpdusSent + m.sides.b.kay.counters.mkpdusSent);
    for (const side of ['a', 'b'] as const) {
      const s = m.sides[side];
      // Strict once secured (InPktsNoTag), Check before (InPktsUntagged): each MKPDU lands in exactly one.
      expect(Object.keys(s.controlledPort).sort()).toEqual(['InPktsNoTag', 'InPktsUntagged']);
      expect(s.atPeerKay).toEqual({ accepted: s.kay.counters.mkpdusSent });
    }
    // Conservation still holds with the MKPDUs counted: every frame received lands in one counter.
    const mkpdusToB = Object.values(m.sides.a.controlledPort).reduce((x, y) => x + y, 0);
    expect(conservation(r.counters.b).received).toBe(r.directions['a->b'].arrived + mkpdusToB);
  });

  it('the report has a key agreement part', () => {
    const text = renderResult(r);
    expect(text).toMatch(/key agreement \(MKA, no-peer policy unsecured\)/);
    expect(text).toMatch(/a: SCI 02000000000a0001, MI [0-9a-f]{8}…, priority 16: key server/);
    expect(text).toMatch(/SAK in use: KN 1 under AN 0/);
    expect(text).toMatch(/MKPDUs sent \d+, accepted \d+, rejected: none/);
    expect(text).toMatch(/SAKs distributed: KN 1\/AN 0 by a/);
  });

  it('the same scenario and seed give the same wire bytes, MKPDUs included', () => {
    const again = simulate(builtinScenario('mka-handshake'));
    const bytes = (x: SimulationResult) => Buffer.from(writePcap(x.captures.wire.map((f) => ({ data: f.data, timestampNs: BigInt(Math.round(f.atPs / 1000)) }))));
    expect(bytes(again).equals(bytes(r))).toBe(true);
  });

  it("policy blocked: nothing passes before the SAK; once it is agreed nothing is lost", () => {
    const blocked = run('mka-handshake', (d) => (mkaOf(d)['policy'] = 'blocked'));
    const d = blocked.directions['a->b'];
    expect(d.refused['SimOutPktsNoSA']).toBeGreaterThan(0); // offered before the handshake finished
    expect(d.outcomes).toEqual({ InPktsOK: d.offered - d.refused['SimOutPktsNoSA']! });
    expect(lostAfterProtection(blocked, 'a')).toEqual([]);
    expectSameSak(blocked);
  });
});

describe('mka-rekey: rollover at the PN threshold, no frame lost', () => {
  const r = simulate(builtinScenario('mka-rekey'));
  const m = r.mka!;

  it('the key server distributes fresh SAKs for its own PN and for the peer\'s, under the next AN each time', () => {
    expect(m.distributed.length).toBeGreaterThanOrEqual(4);
    m.distributed.forEach((d, i) => expect([d.kn, d.an]).toEqual([i + 1, i % 4]));
    expect(m.distributed.some((d) => /SCI 02000000000b0001 transmits with PN \d+, past the rekey threshold 300/.test(d.reason))).toBe(true);
    expect(m.distributed.some((d) => /transmit PN 300 of AN \d reached the rekey threshold 300/.test(d.reason))).toBe(true);
    expect(r.rekeys.filter((k) => k.side === 'a').length).toBe(m.distributed.length - 1);
    expect(r.rekeys[0]!.reason).toMatch(/^MKA: SAK KN 2 from the key server/);
  });

  it('every frame InPktsOK, none lost; both SecYs end on the same SAK, the old SAs retired', () => {
    for (const dir of ['a->b', 'b->a'] as const) {
      const d = r.directions[dir];
      expect(d.outcomes).toEqual({ InPktsOK: d.offered });
      expect(d.lost).toBe(0);
    }
    expect(lostAfterProtection(r, 'a')).toEqual([]);
    expect(lostAfterProtection(r, 'b')).toEqual([]);
    expectSameSak(r);
    // The last switch was more than the retire time before the end: one SA each way left.
    expect(m.sides.a.secy.transmitANs).toEqual([m.sides.a.secy.encodingAN]);
    expect(m.sides.b.secy.receiveSAs).toEqual([{ sci: m.sides.a.kay.sci, an: m.sides.a.secy.encodingAN }]);
    expect(m.events.filter((e) => e.kind === 'retire' && e.side === 'a').length).toBe(m.distributed.length - 1);
  });

  it('starting the first SAK near the default threshold (keys.initialPN) rolls over there', () => {
    const near = run('mka-rekey', (d) => {
      d['keys'] = { initialPN: String(0xc000_0000 - 200) };
      d['duration'] = '3s';
    });
    expect(near.mka!.distributed.map((x) => x.kn)).toEqual([1, 2]);
    expect(near.mka!.distributed[1]!.reason).toMatch(/reached the rekey threshold 3221225472|past the rekey threshold 3221225472/);
    expect(near.directions['a->b'].lost).toBe(0);
    expect(near.directions['b->a'].lost).toBe(0);
  });
});

describe('mka-wrong-cak: no live peer, no SAK', () => {
  it('policy unsecured: every MKPDU rejected for its ICV, traffic flows in clear', () => {
    const r = simulate(builtinScenario('mka-wrong-cak'));
    const { a, b } = r.mka!.sides;
    for (const s of [a, b]) {
      expect(s.kay.livePeers).toEqual([]);
      expect(s.kay.keyServer).toBeUndefined();
      expect(s.kay.latestKey).toBeUndefined();
      expect(s.kay.counters.mkpdusReceived).toBe(0);
      expect(s.secy).toMatchObject({ transmitANs: [], receiveSAs: [], protectFrames: false, validateFrames: 'Check' });
    }
    expect(a.kay.counters.mkpdusRejected).toEqual({ BAD_ICV: b.kay.counters.mkpdusSent });
    expect(b.atPeerKay).toEqual({ 'rejected BAD_ICV': b.kay.counters.mkpdusSent });
    expect(r.mka!.distributed).toEqual([]);
    expect(r.directions['a->b'].outcomes).toEqual({ InPktsUntagged: 100 });
    const needle = Buffer.from('MACsec protects this sentence');
    expect(r.captures.wire.some((f) => Buffer.from(f.data).includes(needle))).toBe(true); // readable on the wire
  });

  it('policy blocked: nothing passes the Controlled Port', () => {
    const r = run('mka-wrong-cak', (d) => (mkaOf(d)['policy'] = 'blocked'));
    expect(r.directions['a->b']).toMatchObject({ sent: 0, lost: 100, refused: { SimOutPktsNoSA: 100 } });
    expect(r.directions['b->a']).toMatchObject({ sent: 0, lost: 50, refused: { SimOutPktsNoSA: 50 } });
    expect(r.mka!.sides.a.secy).toMatchObject({ protectFrames: true, validateFrames: 'Strict' });
  });

  it('another CKN: rejected as UNKNOWN_CKN', () => {
    const r = run('mka-wrong-cak', (d) => {
      delete mkaOf(d)['cakB'];
      mkaOf(d)['cknB'] = '00112233';
    });
    expect(r.mka!.sides.a.kay.counters.mkpdusRejected).toEqual({ UNKNOWN_CKN: r.mka!.sides.b.kay.counters.mkpdusSent });
    expect(r.mka!.sides.b.kay.livePeers).toEqual([]);
  });
});

describe('mka-peer-loss: a peer goes silent, its SAs go after the life time', () => {
  const r = simulate(builtinScenario('mka-peer-loss'));
  const m = r.mka!;

  it('a removes b one MKA Life Time after b last spoke, and deletes every SA', () => {
    const silentAt = m.sides.b.silencedAtPs!;
    expect(silentAt).toBe(10 * S);
    const removed = m.events.find((e) => e.side === 'a' && e.kind === 'peer-removed')!;
    expect(removed.atPs).toBeGreaterThan(silentAt + 6 * S - 2 * S); // b's last MKPDU: within a hello time of going silent
    expect(removed.atPs).toBeLessThanOrEqual(silentAt + 6 * S);
    expect(m.events.find((e) => e.side === 'a' && e.kind === 'no-live-peer')?.atPs).toBe(removed.atPs);
    expect(m.sides.a.kay.livePeers).toEqual([]);
    expect(m.sides.a.secy).toMatchObject({ transmitANs: [], receiveSAs: [], protectFrames: false, validateFrames: 'Check' });
    // b's SecY keeps what its (silent) KaY installed.
    expect(m.sides.b.secy.transmitANs).toEqual([0]);
    expect(m.sides.b.secy.receiveSAs).toEqual([{ sci: m.sides.a.kay.sci, an: 0 }]);
  });

  it('traffic: protected and delivered until the removal, then nothing gets through either way', () => {
    const removedAt = m.events.find((e) => e.side === 'a' && e.kind === 'peer-removed')!.atPs;
    const ab = r.directions['a->b'];
    const ba = r.directions['b->a'];
    expect(ab.outcomes['InPktsOK']).toBe(sequences(r.captures['a-sent']).length - sequences(r.captures['a-sent'], removedAt).length);
    expect(ab.outcomes['InPktsNoTag']).toBe(sequences(r.captures['a-sent'], removedAt).length); // a in clear, b still Strict
    expect(ba.outcomes['InPktsNoSCI']).toBe(sequences(r.captures['b-sent'], removedAt).length); // a forgot b's channel
    expect(sequences(r.captures['b-received'], removedAt)).toEqual([]);
    expect(sequences(r.captures['a-received'], removedAt)).toEqual([]);
  });

  it('XPN: with equal priorities the lower SCI is key server; its MKPDUs carry the XPN set', () => {
    expect(m.sides.a.kay.keyServerPriority).toBe(m.sides.b.kay.keyServerPriority);
    expect(m.sides.b.kay.keyServer).toEqual({ sci: m.sides.a.kay.sci, self: false });
    const fromA = r.captures.wire.filter((f) => isEapolFrame(f.data) && f.data[11] === 0x0a).map((f) => decodeMkpdu(f.data));
    expect(fromA.some((x) => x.ok && x.value.xpn !== undefined && x.value.distributedSak?.key?.cipherSuite === 0x0080c20001000003n)).toBe(true);
  });
});

describe('actors on the wire meet MKPDUs too', () => {
  it('duplicated MKPDUs are STALE_MN, corrupted ones BAD_ICV (or malformed); the CA still forms', () => {
    const r = run('mka-handshake', (d) => {
      d['actors'] = { a: [{ type: 'duplicate', rate: 0.5 }], b: [{ type: 'corrupt', rate: 0.3, bits: 1 }] };
      d['duration'] = '9s';
    });
    const { a, b } = r.mka!.sides;
    expect(b.kay.counters.mkpdusRejected['STALE_MN']).toBeGreaterThan(0);
    expect(Object.keys(a.kay.counters.mkpdusRejected).length).toBeGreaterThan(0);
    const dup = r.actors.find((x) => x.name === 'duplicate')!;
    expect(dup.fate['MKPDU rejected STALE_MN']).toBeGreaterThan(0);
    expectSameSak(r);
  });
});

describe('Wireshark dissects our MKPDUs', () => {
  let tshark = false;
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    tshark = true;
  } catch {
    tshark = false;
  }
  it.skipIf(!tshark)('tshark reads the wire pcap: every MKPDU, with the fields we meant (skipped without tshark)', () => {
    for (const name of ['mka-handshake', 'mka-peer-loss']) {
      const r = run(name, (d) => (d['duration'] = '3s'));
      const mkpdus = r.captures.wire.filter((f) => isEapolFrame(f.data));
      const dir = mkdtempSync(join(tmpdir(), 'macsec-mka-'));
      const file = join(dir, 'wire.pcap');
      writeFileSync(file, writePcap(r.captures.wire.map((f) => ({ data: f.data, timestampNs: BigInt(Math.round(f.atPs / 1000)) })), { resolution: 'ns' }));
      const fields = ['eapol.version', 'eapol.type', 'mka.version_id', 'mka.ks_prio', 'mka.key_server', 'mka.sci', 'mka.actor_mi', 'mka.actor_mn', 'mka.cak_name'];
      const more = ['mka.peer_mi', 'mka.latest_key_an', 'mka.latest_key_rx', 'mka.latest_key_tx', 'mka.distributed_an', 'mka.key_number', 'mka.aes_key_wrap_sak', 'mka.icv'];
      const out = execFileSync('tshark', ['-r', file, '-Y', 'eapol', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...[...fields, ...more].flatMap((f) => ['-e', f])], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const rows = out.trimEnd().split('\n').map((l) => l.split('\t'));
      expect(rows.length).toBe(mkpdus.length);
      rows.forEach((row, i) => {
        const d = decodeMkpdu(mkpdus[i]!.data);
        if (!d.ok) throw d.error;
        const m = d.value;
        const [version, type, mkaVersion, prio, ks, sci, mi, mn, ckn, peers, lan, lrx, ltx, dan, kn, wrap, icv] = row;
        expect([version, type]).toEqual(['3', '5']);
        expect([mkaVersion, prio, ks]).toEqual([String(m.basic.mkaVersion), String(m.basic.keyServerPriority), m.basic.keyServer ? '1' : '0']);
        expect([sci, mi, mn, ckn]).toEqual([toHex(m.basic.sci), toHex(m.basic.mi), m.basic.mn.toString(16).padStart(8, '0'), toHex(m.basic.ckn)]);
        const listed = [...(m.livePeers?.peers ?? []), ...(m.potentialPeers?.peers ?? [])].map((p) => toHex(p.mi));
        expect(peers === '' ? [] : peers!.split(',')).toEqual(listed);
        if (m.sakUse) expect([lan, lrx, ltx]).toEqual([String(m.sakUse.latestAn), m.sakUse.latestRx ? '1' : '0', m.sakUse.latestTx ? '1' : '0']);
        else expect([lan, lrx, ltx]).toEqual(['', '', '']);
        if (m.distributedSak?.key) {
          expect([dan, kn, wrap]).toEqual([String(m.distributedSak.an), m.distributedSak.key.kn.toString(16).padStart(8, '0'), toHex(m.distributedSak.key.wrappedSak)]);
        } else {
          expect(dan).toBe('');
        }
        expect(icv).toBe(toHex(m.icv));
      });
      expect(rows.some((row) => row[13] !== '')).toBe(true); // at least one Distributed SAK seen
    }
  });
});

describe('scenario schema: the mka section', () => {
  const base = { mka: { cak: '135bd758b0ee5c11c55ff6ab19fdb199', ckn: '96437a93ccf10d9dfe347846cce52c7d' } };
  it('defaults: hello 2 s, life 6 s, retire 3 s, priority 16 each, policy unsecured', () => {
    expect(decodeScenario(base).mka).toMatchObject({
      helloTimePs: 2 * S,
      lifeTimePs: 6 * S,
      retireTimePs: 3 * S,
      keyServerPriority: { a: 16, b: 16 },
      policy: 'unsecured',
      silence: undefined,
      cakB: undefined,
    });
    expect(decodeScenario({}).mka).toBeUndefined();
  });
  it('mka.cipherSuite chooses the SecYs\' suite', () => {
    expect(decodeScenario({ mka: { ...base.mka, cipherSuite: 'gcm-aes-xpn-256' } }).secy.cipherSuite.name).toBe('GCM-AES-XPN-256');
    expect(() => decodeScenario({ mka: { ...base.mka, cipherSuite: 'GCM-AES-256' }, secy: { cipherSuite: 'GCM-AES-128' } })).toThrow(/secy\.cipherSuite/);
  });
  it('bad fields are named', () => {
    expect(() => decodeScenario({ mka: { ...base.mka, cak: '0011' } })).toThrow(/mka\.cak: expected 16 or 32 octets in hex/);
    expect(() => decodeScenario({ mka: { ...base.mka, policy: 'open' } })).toThrow(/mka\.policy: expected "unsecured" or "blocked"/);
    expect(() => decodeScenario({ mka: { ...base.mka, lifeTime: '1s' } })).toThrow(/mka\.lifeTime: expected longer than helloTime/);
    expect(() => decodeScenario({ mka: { ...base.mka, keyServerPriority: { a: 300 } } })).toThrow(/mka\.keyServerPriority\.a: expected an integer 0-255/);
    expect(() => decodeScenario({ mka: { ...base.mka, silence: { side: 'c', at: '1s' } } })).toThrow(/mka\.silence\.side/);
    expect(() => decodeScenario({ ...base, keys: { rekeyEvery: '1ms' } })).toThrow(/keys\.rekeyEvery: expected nothing with mka/);
    expect(() => decodeScenario({ mka: 'yes' })).toThrow(/mka: expected an object/);
  });
  it('without a duration, the KaYs go on for at most one MKA Life Time after the traffic is done', () => {
    const r = simulate(decodeScenario({ ...base, link: { rate: '1G' }, traffic: [{ from: 'a', frames: 20, size: 128 }] }));
    expect(r.elapsedPs).toBeGreaterThan(4 * S); // hellos went on
    expect(r.elapsedPs).toBeLessThanOrEqual(6 * S + 1_000_000_000);
    expect(r.stoppedEarly).toBe(false);
  });
});
