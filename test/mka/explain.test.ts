import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainFrame } from '../../src/explain/explain.js';
import { renderTree, type ExplainNode } from '../../src/explain/tree.js';
import { deriveIck, deriveKek, wrapSak } from '../../src/mka/keys.js';
import { emitMkpdu, type IckLookup, type MkpduRepr } from '../../src/mka/mkpdu.js';
import { equalBytes, fromHex, toHex } from '../../src/util/hex.js';
import { LINUX_CAK, LINUX_CKN, LINUX_FRAMES } from './fixtures.js';

const find = (nodes: readonly ExplainNode[], label: string): ExplainNode | undefined => {
  for (const n of nodes) {
    if (n.label.startsWith(label)) return n;
    const inner = n.children && find(n.children, label);
    if (inner) return inner;
  }
  return undefined;
};

const CAK = fromHex('135bd758b0ee5c11c55ff6ab19fdb199');
const CKN = fromHex('96437a93ccf10d9dfe347846cce52c7d');
const ICK = deriveIck(CAK, CKN);
const lookup: IckLookup = (ckn) => (equalBytes(ckn, CKN) ? ICK : undefined);

const FULL: MkpduRepr = {
  sa: fromHex('02000000000a'),
  basic: {
    mkaVersion: 3,
    keyServerPriority: 16,
    keyServer: true,
    macsecDesired: true,
    macsecCapability: 3,
    sci: fromHex('02000000000a0001'),
    mi: fromHex('a1a2a3a4a5a6a7a8a9aaabac'),
    mn: 7,
    ckn: CKN,
  },
  livePeers: { keyServerSsci: 0, peers: [{ mi: fromHex('b1b2b3b4b5b6b7b8b9babbbc'), mn: 5 }] },
  potentialPeers: { peers: [{ mi: fromHex('c1c2c3c4c5c6c7c8c9cacbcc'), mn: 2 }] },
  sakUse: {
    latestAn: 1,
    latestTx: false,
    latestRx: true,
    oldAn: 0,
    oldTx: true,
    oldRx: true,
    plainTx: false,
    plainRx: false,
    delayProtect: false,
    keys: {
      latestKi: { mi: fromHex('a1a2a3a4a5a6a7a8a9aaabac'), kn: 2 },
      latestLowestPn: 1,
      oldKi: { mi: fromHex('a1a2a3a4a5a6a7a8a9aaabac'), kn: 1 },
      oldLowestPn: 4711,
    },
  },
  distributedSak: { an: 1, confidentialityOffset: 1, key: { kn: 2, wrappedSak: wrapSak(deriveKek(CAK, CKN), new Uint8Array(16).fill(3)) } },
};

describe('explain: MKPDUs (EAPOL-MKA, 802.1X clause 11)', () => {
  const frame = emitMkpdu(FULL, ICK);

  it('the EAPOL header, then every parameter set with its fields and where it lies', () => {
    const tree = explainFrame(frame);
    expect(find(tree, 'Frame')?.note).toMatch(/Uncontrolled Port/);
    expect(find(tree, 'EAPOL')).toMatchObject({ value: 'EAPOL-MKA (an MKPDU)', offset: 14, length: 4 });
    expect(find(tree, 'Protocol Version')?.value).toBe('3 (802.1X-2010 and later)');
    expect(find(tree, 'Packet Body Length')?.value).toBe(`${frame.length - 18} octets`);
    expect(find(tree, 'Basic Parameter Set')).toMatchObject({ offset: 18, length: 48 });
    expect(find(tree, 'MKA Version Identifier')?.value).toBe('3 (802.1X-2020)');
    expect(find(tree, 'Key Server Priority')?.value).toBe('16');
    expect(find(tree, 'Basic Parameter Set')!.children!.find((n) => n.label === 'Key Server')?.value).toBe('1');
    expect(find(tree, 'SCI')).toMatchObject({ value: '02000000000a0001', offset: 22, length: 8 });
    expect(find(tree, 'Actor Member Identifier')).toMatchObject({ value: 'a1a2a3a4a5a6a7a8a9aaabac', offset: 30 });
    expect(find(tree, 'Actor Message Number')?.value).toBe('7');
    expect(find(tree, 'CAK Name (CKN)')?.value).toBe(toHex(CKN));
    expect(find(tree, 'Live Peer List (type 1)')).toMatchObject({ offset: 66, length: 20 });
    expect(find(find(tree, 'Live Peer List')!.children!, 'Peer 1')?.value).toBe('MI b1b2b3b4b5b6b7b8b9babbbc, MN 5');
    expect(find(find(tree, 'Potential Peer List')!.children!, 'Peer 1')?.value).toBe('MI c1c2c3c4c5c6c7c8c9cacbcc, MN 2');
    expect(find(tree, 'Latest Key')?.value).toBe('AN 1, KN 2, key server MI a1a2a3a4a5a6a7a8a9aaabac');
    expect(find(find(tree, 'Old Key')!.children!, 'Lowest Acceptable PN')?.value).toBe('4711');
    expect(find(tree, 'Distributed AN')?.value).toBe('1');
    expect(find(tree, 'Key Number (KN)')?.value).toBe('2');
    expect(find(tree, 'MACsec Cipher Suite')?.value).toBe('not present: GCM-AES-128');
    expect(find(tree, 'AES Key Wrap of SAK')?.value).toBe(toHex(FULL.distributedSak!.key!.wrappedSak));
    expect(find(tree, 'ICV')).toMatchObject({ offset: frame.length - 16, length: 16, value: toHex(frame.subarray(-16)) });
  });

  it('without the CAK the ICV cannot be checked; with it, it verifies; a changed octet fails', () => {
    expect(find(explainFrame(frame), 'ICV')).toMatchObject({ status: 'warn', note: expect.stringMatching(/cannot be checked/) });
    expect(find(explainFrame(frame, { mkaIck: lookup }), 'ICV')).toMatchObject({ status: 'ok', note: expect.stringMatching(/verifies/) });
    const bad = frame.slice();
    bad[40]! ^= 1;
    expect(find(explainFrame(bad, { mkaIck: lookup }), 'ICV')).toMatchObject({ status: 'bad', note: expect.stringMatching(/does not verify/) });
    expect(find(explainFrame(frame, { mkaIck: () => undefined }), 'ICV')?.note).toMatch(/no CAK with this name/);
  });

  it("a Linux wpa_supplicant MKPDU (another implementation's): Basic Parameter Set, ICV verified with its CAK", () => {
    const linux = fromHex(LINUX_FRAMES[0]!.frame);
    const ckn = fromHex(LINUX_CKN);
    const ick = deriveIck(fromHex(LINUX_CAK), ckn);
    const tree = explainFrame(linux, { mkaIck: (n) => (equalBytes(n, ckn) ? ick : undefined) });
    expect(find(tree, 'MKA Version Identifier')?.value).toBe('1 (802.1X-2010)');
    expect(find(tree, 'Key Server Priority')?.value).toBe('255');
    expect(find(tree, 'CAK Name (CKN)')?.value).toBe(LINUX_CKN);
    expect(find(tree, 'ICV')?.status).toBe('ok');
  });

  it('a malformed MKPDU says why a KaY rejects it; other EAPOL types are named', () => {
    const short = frame.slice(0, 40);
    expect(find(explainFrame(short), 'MKPDU')).toMatchObject({ status: 'bad', value: 'malformed (TRUNCATED)' });
    const start = new Uint8Array(60); // padded to the Ethernet minimum
    start.set(fromHex('0180c200000302000000000a888e01010000'));
    expect(find(explainFrame(start), 'EAPOL')?.value).toBe('EAPOL-Start');
    expect(find(explainFrame(start), 'MKPDU')).toBeUndefined();
  });

  it('renders as a tree, and any octets after an EAPOL header explain without throwing', () => {
    expect(renderTree(explainFrame(frame), false)).toMatch(/Distributed SAK \(type 4\): 28 octets/);
    const head = frame.subarray(0, 18);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 255 }), (tail, at, v) => {
        const mutated = frame.slice();
        if (at < mutated.length) mutated[at] = v;
        for (const f of [Uint8Array.of(...head, ...tail), mutated]) {
          const tree = explainFrame(f);
          expect(tree.length).toBeGreaterThan(0);
          expect(() => JSON.stringify(tree)).not.toThrow();
        }
      }),
      { numRuns: 500 },
    );
  });
});
