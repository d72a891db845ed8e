import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { macsec } from '../support/cli.js';

const CAK = '135bd758b0ee5c11c55ff6ab19fdb199'; // examples/scenarios/mka-handshake.json
const CKN = '96437a93ccf10d9dfe347846cce52c7d';

describe('macsec explain on MKPDUs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'macsec-mka-'));
  expect(macsec(['simulate', '--builtin', 'mka-handshake', '--pcap-dir', dir]).status).toBe(0);
  const wire = join(dir, 'wire.pcap');

  it('checks an MKPDU ICV with --cak/--ckn', () => {
    const r = macsec(['explain', '--in', wire, '--frame', '1', '--cak', CAK, '--ckn', CKN]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ ICV integrity check value: [0-9a-f]{32} .* verifies/);
  });
  it('says a wrong CAK makes the ICV fail', () => {
    const r = macsec(['explain', '--in', wire, '--frame', '1', '--cak', '00'.repeat(16), '--ckn', CKN]);
    expect(r.stdout).toMatch(/✗ ICV/);
  });
  it('without the CAK says the ICV cannot be checked; --cak alone is a usage error', () => {
    expect(macsec(['explain', '--in', wire, '--frame', '1']).stdout).toMatch(/cannot be checked/);
    const r = macsec(['explain', '--in', wire, '--cak', CAK]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('macsec: --cak and --ckn go together\n');
  });
});
