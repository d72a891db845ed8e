import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyResolver } from '../../src/config/keys.js';
import { decodeSaFile } from '../../src/config/sa-file.js';
import { explainFrame } from '../../src/explain/explain.js';
import { renderTree, type ExplainNode } from '../../src/explain/tree.js';
import { fromHex } from '../../src/util/hex.js';

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, '../../vectors/gcm-aes-xpn-128.json'), 'utf8')) as Record<string, string>[];
const C73 = vectors.find((v) => v['name']!.startsWith('C.7.3'))!; // 61-octet confidentiality frame, SC=1, XPN
/** The vector's key fields as an SA file (which refuses the vector's other fields). */
const C73_SA = Object.fromEntries(Object.entries(C73).filter(([k]) => ['cipherSuite', 'key', 'sci', 'an', 'pn', 'ssci', 'salt', 'confidentiality', 'confidentialityOffset'].includes(k)));

const find = (nodes: readonly ExplainNode[], label: string): ExplainNode | undefined => {
  for (const n of nodes) {
    if (n.label.includes(label)) return n;
    const inner = n.children && find(n.children, label);
    if (inner) return inner;
  }
  return undefined;
};

describe('explain', () => {
  const frame = fromHex(C73['protectedFrame']!);
  const sa = decodeSaFile({ ...C73_SA, includeSci: true });

  it('names every TCI bit and splits the SCI', () => {
    const tree = explainFrame(frame);
    expect(find(tree, 'TCI/AN')?.value).toBe('0x2f');
    expect(find(tree, 'E   encryption')?.value).toBe('1');
    expect(find(tree, 'ES  end station')?.value).toBe('0');
    expect(find(tree, 'System address')?.value).toBe('7c:fd:e9:f9:e3:37');
    expect(find(tree, 'Secure data')?.note).toMatch(/eavesdropper sees only ciphertext/);
  });

  it('with the SA: the ICV verifies and the user data is shown decrypted', () => {
    const tree = explainFrame(frame, { keys: keyResolver(sa, 'noble') });
    expect(find(tree, 'Validation')).toMatchObject({ status: 'ok', value: 'ICV verifies' });
    expect(find(tree, 'User data (as delivered)')?.value).toBe(`${fromHex(C73['unprotectedFrame']!).length - 12} octets`);
    expect(find(tree, 'Full PN') ?? find(tree, 'Key')?.note).toMatch(new RegExp(`full PN ${C73['pn']}`));
  });

  it('with a wrong key: says the ICV does not verify and which counter a receiver bumps', () => {
    const wrong = decodeSaFile({ ...C73_SA, key: '00'.repeat(16), includeSci: true });
    const tree = explainFrame(frame, { keys: keyResolver(wrong, 'node') });
    expect(find(tree, 'Validation')).toMatchObject({ status: 'bad', value: 'ICV does not verify' });
    expect(find(tree, 'Validation')?.note).toMatch(/InPktsNotValid/);
  });

  it('explains a bad SecTAG by the field and offset at fault', () => {
    const bad = frame.slice();
    bad[14] = bad[14]! | 0x80;
    expect(find(explainFrame(bad), 'SecTAG')).toMatchObject({ status: 'bad', value: 'invalid (VERSION)', offset: 14 });
  });

  it('says plainly that clear VLAN tags are not protected', () => {
    const tagged = new Uint8Array(frame.length + 4);
    tagged.set(frame.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x00, 0x2a], 12);
    tagged.set(frame.subarray(12), 16);
    expect(find(explainFrame(tagged), '802.1Q C-tag')).toMatchObject({ status: 'warn', value: 'VID 42, PCP 0' });
    expect(find(explainFrame(tagged), '802.1Q C-tag')?.note).toMatch(/not protected/);
  });

  it('explains an unprotected frame and never throws on garbage', () => {
    expect(explainFrame(fromHex(C73['unprotectedFrame']!))[0]?.note).toMatch(/InPktsNoTag/);
    for (let n = 0; n < 80; n++) expect(() => explainFrame(frame.subarray(0, n))).not.toThrow();
  });

  it('renders without colour codes when asked', () => {
    const text = renderTree(explainFrame(frame), false);
    expect(text).not.toMatch(/\x1b\[/);
    expect(text).toMatch(/├─ TCI\/AN: 0x2f/);
  });
});
