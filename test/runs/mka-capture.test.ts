/**
 * The MKA observer on hostile input: the real wpa_supplicant capture with bytes of its MKPDUs and MACsec
 * frames flipped (seeded). Every record must come back as a row, never as an exception; an MKPDU whose ICV
 * no longer verifies installs nothing. The streamed run takes the frames between two MKPDUs as one burst;
 * it must give what the observer gives one record at a time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureReader, readCapture, writePcap, type CaptureRecord, type WritableRecord } from '../../src/capture/index.js';
import { source } from '../capture/build.js';
import type { StreamOptions } from '../../src/runs/capture-run.js';
import { MkaObserver } from '../../src/runs/mka-capture.js';
import { validateMkaStream, type MkaValidateRun } from '../../src/runs/mka-run.js';
import { fromHex } from '../../src/util/hex.js';
import { Rng } from '../../src/util/rng.js';
import { ROOT } from '../support/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'mka', 'wpa-supplicant-cak128');
const config = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')) as { cak: string; ckn: string };
const wire = readCapture(new Uint8Array(readFileSync(join(FIXTURE, 'wire.pcap'))), 'wire.pcap');
const observer = () =>
  new MkaObserver({ cak: fromHex(config.cak), ckn: fromHex(config.ckn), controls: { validateFrames: 'strict', replayWindow: 0, replayProtect: true }, backend: 'noble' });

/** validate --cak over `records` written as a pcap and read back as a stream; the delivered frames copied. */
async function streamed(records: readonly WritableRecord[], keep: StreamOptions['keep']): Promise<{ run: MkaValidateRun; delivered: Uint8Array[] }> {
  const delivered: Uint8Array[] = [];
  const sink = { write: async (recs: readonly WritableRecord[]) => void delivered.push(...recs.map((r) => r.data.slice())) };
  const run = await validateMkaStream(observer(), await CaptureReader.open(source(writePcap(records), 4096), 'f'), sink, { keep });
  return { run, delivered };
}

const writable = (records: readonly CaptureRecord[]): WritableRecord[] => records.map((r) => ({ data: r.data, timestampNs: r.timestampNs }));

describe('MkaObserver on hostile captures', () => {
  it('flipped bits and cut frames give rows, never exceptions, and the same rows streamed in bursts as one record at a time', async () => {
    const rng = new Rng(17);
    for (let round = 0; round < 150; round++) {
      const records = wire.records.map((r) => {
        if (!rng.chance(0.2)) return r;
        const data = r.data.slice(0, rng.chance(0.2) ? rng.int(r.data.length + 1) : r.data.length);
        if (data.length > 0) data[rng.int(data.length)]! ^= 1 << rng.int(8);
        return { ...r, data, originalLength: data.length };
      });
      const { run } = await streamed(writable(records), { rows: true, listed: Infinity });
      expect(run.results).toHaveLength(records.length);
      const one = observer();
      expect(run.results).toEqual(records.map((r, i) => one.receive(r, i + 1)));
      expect(run.counters).toEqual(one.counters());
      const scan = observer(); // explain's first pass: the MKPDUs alone give the SAKs and participants
      scan.takeMkpdus(records, 1);
      expect(scan.saks()).toEqual(run.saks);
      expect(scan.participantRows()).toEqual(run.participants);
    }
  });

  it('an MKPDU with a flipped bit is rejected, so its SAK is never installed and later frames wait for one', async () => {
    const distributing = [3, 4]; // frames 4 and 5 carry the Distributed SAK (tshark)
    const records = wire.records.map((r, i) => {
      if (!distributing.includes(i)) return r;
      const data = r.data.slice();
      data[40]! ^= 0x01;
      return { ...r, data };
    });
    const { run, delivered } = await streamed(writable(records), { rows: true, listed: Infinity });
    expect(run.saks).toHaveLength(0);
    expect(run.results.filter((r) => r.result === 'mkpdu-rejected').map((r) => r.frame)).toEqual([4, 5]);
    expect(run.beforeSak).toBe(32);
    expect(delivered).toHaveLength(0);
  });
});

describe('validate --cak keeps rows as plain validate does', () => {
  it('without every row: the same counts, counters and output, and only the first failures listed', async () => {
    // Replays of the MACsec frames after the capture: each dropped as late (replayProtect, window 0).
    const macsec = wire.records.filter((r) => r.data[12] === 0x88 && r.data[13] === 0xe5);
    const records = writable([...wire.records, ...macsec, ...macsec]);
    const all = await streamed(records, { rows: true, listed: Infinity });
    const few = await streamed(records, { rows: false, listed: 5 });
    expect(all.run.failedCount).toBe(64);
    expect(all.run.failed).toHaveLength(64);
    expect(few.run.results).toHaveLength(0);
    expect(few.run.failed).toEqual(all.run.failed.slice(0, 5));
    const { results: _r, failed: _f, ...counts } = all.run;
    const { results: _r2, failed: _f2, ...fewCounts } = few.run;
    expect(fewCounts).toEqual(counts);
    expect(few.delivered).toEqual(all.delivered);
    expect(all.delivered).toEqual(readCapture(new Uint8Array(readFileSync(join(FIXTURE, 'plain-A.pcap'))), 'plain-A.pcap').records.map((r) => r.data));
  });
});
