/**
 * The MKA observer on hostile input: the real wpa_supplicant capture with bytes of its MKPDUs and MACsec
 * frames flipped (seeded). Every record must come back as a row, never as an exception; an MKPDU whose ICV
 * no longer verifies installs nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, type Capture } from '../../src/capture/index.js';
import { MkaObserver } from '../../src/runs/mka-capture.js';
import { validateMkaCapture } from '../../src/runs/mka-run.js';
import { fromHex } from '../../src/util/hex.js';
import { Rng } from '../../src/util/rng.js';
import { ROOT } from '../support/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'mka', 'wpa-supplicant-cak128');
const config = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')) as { cak: string; ckn: string };
const wire = readCapture(new Uint8Array(readFileSync(join(FIXTURE, 'wire.pcap'))), 'wire.pcap');
const observer = () =>
  new MkaObserver({ cak: fromHex(config.cak), ckn: fromHex(config.ckn), controls: { validateFrames: 'strict', replayWindow: 0, replayProtect: true }, backend: 'noble' });

describe('MkaObserver on hostile captures', () => {
  it('flipped bits and cut frames give rows, never exceptions', () => {
    const rng = new Rng(17);
    for (let round = 0; round < 150; round++) {
      const records = wire.records.map((r) => {
        if (!rng.chance(0.2)) return r;
        const data = r.data.slice(0, rng.chance(0.2) ? rng.int(r.data.length + 1) : r.data.length);
        if (data.length > 0) data[rng.int(data.length)]! ^= 1 << rng.int(8);
        return { ...r, data, originalLength: data.length };
      });
      const capture: Capture = { ...wire, records };
      const run = validateMkaCapture(observer(), capture);
      expect(run.results).toHaveLength(records.length);
    }
  });

  it('an MKPDU with a flipped bit is rejected, so its SAK is never installed and later frames wait for one', () => {
    const distributing = [3, 4]; // frames 4 and 5 carry the Distributed SAK (tshark)
    const records = wire.records.map((r, i) => {
      if (!distributing.includes(i)) return r;
      const data = r.data.slice();
      data[40]! ^= 0x01;
      return { ...r, data };
    });
    const run = validateMkaCapture(observer(), { ...wire, records });
    expect(run.saks).toHaveLength(0);
    expect(run.results.filter((r) => r.result === 'mkpdu-rejected').map((r) => r.frame)).toEqual([4, 5]);
    expect(run.beforeSak).toBe(32);
    expect(run.written).toHaveLength(0);
  });
});
