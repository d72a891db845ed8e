/// <reference lib="dom" />
/**
 * The link lab in a real browser (Debian's chromium through playwright-core): the URL and hook contract of
 * issue 16. Every built-in scenario, run to the end in the page's worker, gives exactly the counters of the
 * CLI (`macsec simulate --builtin NAME --seed S --json`, spawned as a user types it); stepping back then
 * forward shows the same state; a replay actor moves InPktsLate; MKA ends with both KaYs on one SAK; axe,
 * and no network requests. One browser and one page for the whole file.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../src/runs/teach-server.js';
import { chromiumEndpoint } from '../support/browser.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const chromiumAt = chromiumEndpoint('link lab browser tests');
const built = existsSync(join(ROOT, 'dist', 'web', 'link.html'));
/** The built-in scenarios as `macsec simulate --list` names them, in its order. */
const BUILTINS = execFileSync(process.execPath, [CLI, 'simulate', '--list'], { encoding: 'utf8' })
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => line.split(/\s+/)[0]!);


type Counters = { a: Record<string, number>; b: Record<string, number> };
function cliCounters(name: string, seed: number): Promise<Counters> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [CLI, 'simulate', '--builtin', name, '--seed', String(seed), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }, (error, out) =>
      error ? reject(error) : resolve((JSON.parse(out) as { counters: Counters }).counters),
    ),
  );
}
const SEED = (i: number): number => 1000 + i;
/** The CLI's answers, one process after another in the background while the browser runs the same scenarios. */
let cli: Promise<Counters>[] = [];

describe.skipIf(chromiumAt === undefined)('link lab (browser)', () => {
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  /** Loads a hash and waits until the page shows the step it asks for (a run, if needed, included). */
  async function go(hash: string): Promise<void> {
    await page.evaluate((h) => {
      document.getElementById('lab')!.dataset['state'] = 'stale';
      location.hash = h;
    }, hash);
    await settled();
  }
  async function settled(): Promise<void> {
    await page.locator('#lab[data-state="ready"], #lab[data-state="error"]').waitFor({ timeout: 60_000 });
  }
  const counters = async (side: 'a' | 'b'): Promise<Record<string, number>> => JSON.parse((await page.getByTestId(`counters-${side}`).textContent()) ?? '') as Record<string, number>;
  const step = async (): Promise<number> => Number(await page.locator('#lab').getAttribute('data-step'));
  const total = async (): Promise<number> => Number(await page.locator('#lab').getAttribute('data-total'));
  /** Everything a step shows that must come back the same. */
  const snapshot = async (): Promise<string[]> =>
    Promise.all([
      page.getByTestId('counters-a').textContent(),
      page.getByTestId('counters-b').textContent(),
      page.getByTestId('event-list').innerText(),
      page.getByTestId('replay-strip').innerText(),
      page.locator('#port-a-sas').innerText(),
      page.locator('#port-b-sas').innerText(),
      page.locator('#position').innerText(),
    ]).then((x) => x.map(String));

  beforeAll(async () => {
    if (!built) throw new Error('dist/web is missing: npm run build builds it');
    let chain: Promise<unknown> = Promise.resolve();
    cli = BUILTINS.map((name, i) => {
      const run = chain.then(() => cliCounters(name, SEED(i)));
      chain = run.catch(() => undefined);
      return run;
    });
    ({ server, url: base } = await serveStatic(join(ROOT, 'dist', 'web'), '127.0.0.1', 0));
    if (chromiumAt === undefined) throw new Error('the suite runs only with the shared Chromium');
    browser = await chromium.connect(chromiumAt); // the one of test/support/chromium-setup.ts
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}link.html#scenario=replay&step=0`);
    await settled();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('offers every built-in scenario, as macsec simulate --list does', async () => {
    const options = await page.locator('#scenario option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(BUILTINS);
  });

  it('every built-in scenario run to the end gives exactly the counters of macsec simulate --json for the same seed', async () => {
    expect(BUILTINS.length).toBeGreaterThanOrEqual(13);
    for (const [i, name] of BUILTINS.entries()) {
      await go(`#scenario=${name}&seed=${SEED(i)}&step=end`);
      expect(await page.locator('#lab').getAttribute('data-state'), name).toBe('ready');
      expect(await step(), name).toBe((await total()) - 1);
      const want = await cli[i]!;
      expect(await counters('a'), `${name} a`).toEqual(want.a);
      expect(await counters('b'), `${name} b`).toEqual(want.b);
    }
  });

  it('without seed the scenario runs with its own seed', async () => {
    await go('#scenario=replay&step=end');
    const want = await cliCounters('replay', 3);
    expect(await counters('b')).toEqual(want.b);
    expect((await counters('b'))['InPktsLate']).toBeGreaterThan(0);
  });

  it('step=N shows event N; at step 0 nothing has happened', async () => {
    await go('#scenario=reorder&step=0');
    expect(await step()).toBe(0);
    expect(Object.values(await counters('b')).every((v) => v === 0)).toBe(true);
    await go('#scenario=reorder&step=700');
    expect(await step()).toBe(700);
    expect(await page.locator('[data-testid="event-list"] li[aria-current="step"]').count()).toBe(1);
  });

  it('stepping back then forward gives the same state', async () => {
    await go('#scenario=reorder&step=800');
    const at = await snapshot();
    await page.locator('#back').click();
    await page.locator('#lab[data-step="799"]').waitFor();
    expect(await snapshot()).not.toEqual(at);
    await page.locator('#forward').click();
    await page.locator('#lab[data-step="800"]').waitFor();
    expect(await snapshot()).toEqual(at);
    expect(new URL(page.url()).hash).toContain('step=800');
  });

  it('plays on the simulated clock and pauses where the URL then says; "," and "." step from the keyboard', async () => {
    await go('#scenario=reorder&step=100&speed=100us');
    await page.locator('#play').click();
    await page.waitForFunction(() => Number(document.getElementById('lab')!.dataset['step']) > 110);
    await page.locator('#play').click();
    expect(await page.locator('#play').getAttribute('aria-pressed')).toBe('false');
    const at = await step();
    expect(new URL(page.url()).hash).toContain(`step=${at}`);
    expect(new URL(page.url()).hash).toContain('speed=100us');
    await page.locator('#lab').focus();
    await page.keyboard.press('.');
    await page.locator(`#lab[data-step="${at + 1}"]`).waitFor();
    await page.keyboard.press(',');
    await page.locator(`#lab[data-step="${at}"]`).waitFor();
  });

  it('adding a replay actor makes InPktsLate move, and the URL then carries the edited scenario', async () => {
    await go('#scenario=eavesdropper&step=end');
    expect((await counters('b'))['InPktsLate']).toBe(0);
    await page.locator('#add-type').selectOption('replay');
    await page.locator('#add-side').selectOption('a');
    await page.evaluate(() => (document.getElementById('lab')!.dataset['state'] = 'stale'));
    await page.locator('#add-actor').click();
    await settled();
    expect((await counters('b'))['InPktsLate']).toBeGreaterThan(0);
    const hash = new URL(page.url()).hash;
    expect(hash).toContain('scenarioJson=');
    expect(hash).toContain('step=end');
    const late = (await counters('b'))['InPktsLate'];
    // The URL reproduces the view in a fresh page.
    const fresh = await browser.newPage();
    await fresh.goto(`${base}link.html${hash}`);
    await fresh.locator('#lab[data-state="ready"]').waitFor({ timeout: 60_000 });
    expect((JSON.parse((await fresh.getByTestId('counters-b').textContent()) ?? '') as Record<string, number>)['InPktsLate']).toBe(late);
    await fresh.close();
  });

  it('the MKA handshake ends with both KaYs on the same SAK, shown as "KN n, AN m", never a key', async () => {
    await go('#scenario=mka-handshake&step=0');
    expect(await page.getByTestId('kay-a-sak').innerText()).toBe('none');
    await go('#scenario=mka-handshake&step=end');
    const a = await page.getByTestId('kay-a-sak').innerText();
    const b = await page.getByTestId('kay-b-sak').innerText();
    expect(a).toMatch(/^KN \d+, AN [0-3]$/);
    expect(b).toBe(a);
    expect(await page.getByTestId('mka-sequence').innerText()).toMatch(/Distributed SAK: KN 1, AN \d/);
  });

  it('the replay strip shows the receive SA around lowestPN, with a caught replay marked Late', async () => {
    await go('#scenario=replay&step=end');
    const strip = page.getByTestId('replay-strip');
    expect(await strip.innerText()).toMatch(/lowestPN 1,001, nextPN 1,001 \(replayWindow 0\)/);
    expect(await strip.locator('li.zone-window').count()).toBe(0);
  });

  it('a frame in the event list opens in the frame lab with that moment\'s keys (XPN: and the receiver\'s lowestPN)', async () => {
    const lab = await browser.newPage();
    for (const [hash, suite] of [['#scenario=replay&step=40', 'GCM-AES-128'], ['#scenario=xpn-100g&step=1500', 'GCM-AES-XPN-128']] as const) {
      await go(hash);
      const href = await page.locator('[data-testid="event-list"] a.open-lab').first().getAttribute('href');
      expect(href).toMatch(new RegExp(`^\\./index\\.html#protected=[0-9a-f]+&suite=${suite}&key=[0-9a-f]{32}&sci=02000000000a0001`));
      await lab.goto(new URL(href!, `${base}link.html`).toString());
      await lab.getByTestId('verdict').waitFor();
      expect(await lab.getByTestId('verdict').innerText(), hash).toBe('InPktsOK');
    }
    await lab.close();
  });

  it('has no accessibility violations (axe) with a run shown, MKA included', async () => {
    await go('#scenario=mka-handshake&step=300');
    const result = await new AxeBuilder({ page }).analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });

  it('makes no network requests beyond its own files', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
  });
});
