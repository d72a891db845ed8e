/**
 * The core entries are browser-safe (issue 11): each, bundled by esbuild for the browser with no Node
 * polyfills, reaches no Node module and no Node global; and the bundled core runs IEEE 802.1AE Annex C
 * and a SecY round trip in headless Chromium. Bundles the built dist/, what a user's bundler sees.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, runInPage } from '../support/browser.js';
import { ROOT } from '../support/cli.js';

const CORE_ENTRIES = ['index', 'api/wire', 'api/crypto', 'api/secy', 'api/mka', 'api/link', 'api/explain', 'api/config', 'api/conformance'];
const dist = (entry: string): string => join(ROOT, 'dist', 'src', `${entry}.js`);

describe('core entries bundled for the browser (esbuild, platform browser, no Node polyfills)', () => {
  for (const entry of CORE_ENTRIES) {
    it(`${entry === 'index' ? 'macsec-sim' : `macsec-sim/${entry.slice(4)}`} reaches no node: module and no Node global`, async () => {
      const b = await bundleForBrowser({ file: dist(entry) });
      expect(b.nodeImports).toEqual([]);
      expect(b.nodeGlobals).toEqual([]);
    });
  }

  it('the check itself catches a Node module and a Node global', async () => {
    const b = await bundleForBrowser({ contents: "import { readFileSync } from 'node:fs'; export const f = () => [readFileSync, Buffer.alloc(1), globalThis.process];", resolveDir: ROOT });
    expect(b.nodeImports).toEqual([expect.stringMatching(/^node:fs /)]);
    expect(b.nodeGlobals.map((g) => g.split(':')[0])).toEqual(['Buffer', 'process']);
  });

  it('the node entry does reach Node (so the check above is not vacuous)', async () => {
    const b = await bundleForBrowser({ file: dist('api/node') });
    expect(b.nodeImports.length).toBeGreaterThan(0);
  });
});

type Core = typeof import('../../src/index.js');

describe('the bundled core in headless Chromium', () => {
  it('runs the 32 Annex C vectors and a SecY transmit -> receive round trip', async (ctx) => {
    const bundle = await bundleForBrowser({ file: dist('index') }, { globalName: 'macsecSim' });
    const out = await runInPage(ctx, bundle.code, () => {
      const m = (globalThis as unknown as { macsecSim: Core }).macsecSim;
      const results = m.ANNEX_C_VECTORS.flatMap((f) => m.runVectors(f.data).results);
      const key = m.fromHex('ad7a2bd03eac835a6f620fdcb506b345');
      const a = new m.SecY({ sci: '0200000000010001', alwaysIncludeSCI: true });
      const b = new m.SecY({ sci: '0200000000020001' });
      a.createTransmitSA({ an: 0, sak: key, enable: true });
      b.createReceiveSC(a.sci);
      b.createReceiveSA(a.sci, { an: 0, sak: key, enable: true });
      const frame = m.fromHex('020000000002 020000000001 0800 45000014000000004011f97ac0a80001c0a80002');
      const sent = a.transmit(frame);
      const got = sent.kind === 'transmitted' ? b.receive(sent.frame) : undefined;
      return {
        vectors: results.length,
        passed: results.filter((r) => r.status === 'pass').length,
        backends: [...new Set(results.map((r) => r.backend))],
        delivered: got?.kind === 'controlled' ? m.toHex(got.frame) : got?.kind,
        inPktsOK: b.counters().secy.InPktsOK,
      };
    });
    if (out === undefined) return;
    expect(out).toEqual({ vectors: 32, passed: 32, backends: ['noble'], delivered: '0200000000020200000000010800450000140000000040 11f97ac0a80001c0a80002'.replace(/ /g, ''), inPktsOK: 1 });
  });
});
