/// <reference lib="dom" />
/**
 * The frame lab in a real browser (Debian's chromium through playwright-core): the URL contract of issue 13,
 * the Annex C vectors through it, the receiver's verdicts, the linked views, the keyboard, axe, and no
 * network requests. One browser and one page for the whole file; vectors are loaded by changing the hash.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../src/runs/teach-server.js';
import { annexCVectors, type AnnexCVector } from '../support/annex-c.js';
import { chromiumEndpoint } from '../support/browser.js';

const ROOT = join(import.meta.dirname, '..', '..');
const chromiumAt = chromiumEndpoint('frame lab browser tests');
const built = existsSync(join(ROOT, 'dist', 'web', 'index.html'));

const vectors = annexCVectors();

/** The contract's parameters for a vector (TCI bits as the transmitter sets them, 9.5). */
function vectorHash(v: AnnexCVector, extra = ''): string {
  const tci = parseInt(v.tci, 16);
  const bit = (mask: number): string => (tci & mask ? '1' : '0');
  const xpn = v.ssci ? `&ssci=${v.ssci}&salt=${v.salt}` : '';
  return `#suite=${v.cipherSuite}&key=${v.key}&sci=${v.sci}&an=${v.an}&pn=${v.pn}${xpn}&conf=${v.confidentiality ? 1 : 0}&sc=${bit(0x20)}&es=${bit(0x40)}&scb=${bit(0x10)}&frame=${v.unprotectedFrame}${extra}`;
}


describe.skipIf(chromiumAt === undefined)('frame lab (browser)', () => {
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  /** Sets the hash and waits for the page to have rendered it. */
  async function go(hash: string): Promise<void> {
    await page.evaluate(
      (h) =>
        new Promise<void>((resolve) => {
          if (location.hash === h) return resolve();
          window.addEventListener('hashchange', () => resolve(), { once: true });
          location.hash = h;
        }),
      hash,
    );
  }
  const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();

  beforeAll(async () => {
    if (!built) throw new Error('dist/web is missing: npm run build builds it');
    ({ server, url: base } = await serveStatic(join(ROOT, 'dist', 'web'), '127.0.0.1', 0));
    if (chromiumAt === undefined) throw new Error('the suite runs only with the shared Chromium');
    browser = await chromium.connect(chromiumAt); // the one of test/support/chromium-setup.ts
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(base);
    await page.getByTestId('verdict').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('opens on Annex C first frame (C.1.1) and the receiver accepts it', async () => {
    const v = vectors.find((x) => x.name.startsWith('C.1.1'))!;
    expect(await text('protected-frame')).toBe(v.protectedFrame);
    expect(await text('icv')).toBe(v.icv);
    expect(await text('verdict')).toBe('InPktsOK');
  });

  it('all 32 Annex C vectors through the URL: protected-frame and icv equal the vector, the protected form gives InPktsOK', async () => {
    expect(vectors).toHaveLength(32);
    for (const v of vectors) {
      await go(vectorHash(v));
      expect(await text('protected-frame'), v.name).toBe(v.protectedFrame);
      expect(await text('icv'), v.name).toBe(v.icv);
      await go(vectorHash(v, `&protected=${v.protectedFrame.toUpperCase()}`));
      expect(await text('protected-frame'), v.name).toBe(v.protectedFrame);
      expect(await text('verdict'), v.name).toBe('InPktsOK');
    }
  });

  it('flipping an octet of the ICV gives InPktsNotValid', async () => {
    const v = vectors.find((x) => x.name.startsWith('C.5.1'))!;
    await go(vectorHash(v));
    const last = v.protectedFrame.length / 2 - 1;
    await page.locator(`[data-offset="${last}"]`).click();
    await page.getByTestId('flip').click();
    const flipped = await text('protected-frame');
    expect(flipped.slice(0, -2)).toBe(v.protectedFrame.slice(0, -2));
    expect(flipped.slice(-2)).toBe((parseInt(v.protectedFrame.slice(-2), 16) ^ 1).toString(16).padStart(2, '0'));
    expect(await text('verdict')).toBe('InPktsNotValid');
    expect(new URL(page.url()).hash).toContain(`protected=${flipped}`);
  });

  it('a PN below lowest with window=0 gives InPktsLate; replay, wrong AN and wrong key move their counters', async () => {
    await go('#pn=100&lowest=200&window=0');
    expect(await text('verdict')).toBe('InPktsLate');
    await go('#break=replay');
    expect(await text('verdict')).toBe('InPktsLate');
    await go('#break=an');
    expect(await text('verdict')).toBe('InPktsNotUsingSA');
    await go('#break=key');
    expect(await text('verdict')).toBe('InPktsNotValid');
    await go('#break=key&validate=Disabled');
    expect(await text('verdict')).toBe('InPktsUnchecked');
  });

  it('hovering an octet highlights its tree node, and hovering a node highlights its octets', async () => {
    await go('#conf=1');
    // Octet 14 is the TCI/AN octet (SecTAG at 12).
    await page.locator('[data-offset="14"]').hover();
    const lit = page.locator('[role=treeitem][data-highlight]');
    await expect.poll(() => lit.count()).toBe(1);
    expect(await lit.locator('.label').first().innerText()).toBe('TCI/AN');
    await page.locator('[role=treeitem] > .node', { has: page.locator('.label', { hasText: /^Source$/ }) }).hover();
    await expect.poll(() => page.locator('[data-offset][data-highlight]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offset'))))).toEqual([6, 7, 8, 9, 10, 11]);
    // Selecting an octet selects its field in the tree (aria-selected) and lands in the URL.
    await page.locator('[data-offset="3"]').click();
    expect(await page.locator('[role=treeitem][aria-selected=true] .label').first().innerText()).toBe('Destination');
    expect(new URL(page.url()).hash).toContain('select=3');
  });

  it('the URL round-trips: hex written back lower case, the same state from the written URL', async () => {
    const key = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';
    await go(`#suite=GCM-AES-256&key=${key}&an=1&pn=77&conf=1&offset=30&validate=CHECK&replayProtect=0&window=4&lowest=70&step=ghash&select=20`);
    const written = new URL(page.url()).hash;
    expect(written).toBe(`#suite=GCM-AES-256&key=${key.toLowerCase()}&an=1&pn=77&conf=1&offset=30&validate=check&replayProtect=0&window=4&lowest=70&step=ghash&select=20`);
    const frame = await text('protected-frame');
    await page.goto(`${base}${written}`);
    expect(new URL(page.url()).hash).toBe(written);
    expect(await text('protected-frame')).toBe(frame);
    expect(await page.locator('#f-key').inputValue()).toBe(key.toLowerCase());
    expect(await page.locator('#r-validate').inputValue()).toBe('Check');
    // An edit in the page writes the URL.
    await page.locator('#f-an').selectOption('3');
    expect(new URL(page.url()).hash).toContain('an=3');
    // A parameter that does not parse is named, and its default used.
    await go('#an=9');
    expect(await page.getByRole('alert').innerText()).toContain('an');
  });

  it('steps back and forward through the GCM walk-through, and predict mode asks before it reveals', async () => {
    await go('#step=h');
    await page.locator('#step-next').click();
    expect(new URL(page.url()).hash).toBe('#step=iv');
    await page.locator('#step-back').click();
    expect(new URL(page.url()).hash).toBe('#step=h');
    expect(await page.locator('.step-panel.current h3').innerText()).toBe('1. Hash subkey H');
    await go('#break=an&predict=1');
    expect(await page.getByTestId('verdict').count()).toBe(0);
    await page.locator('#r-guess').selectOption('InPktsNotUsingSA');
    await page.locator('#r-reveal').click();
    expect(await text('verdict')).toBe('InPktsNotUsingSA');
    expect(await page.locator('.verdict').innerText()).toContain('You predicted InPktsNotUsingSA: right.');
  });

  it('the keyboard reaches every control', async () => {
    await go('#step=iv');
    const controls = await page.$$eval('input:not([disabled]), select:not([disabled]), textarea, button:not([disabled]), a[href], [tabindex="0"]', (els) =>
      els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.id || e.getAttribute('data-testid') || e.getAttribute('aria-label') || e.textContent.trim()),
    );
    const reached = new Set<string>();
    await page.locator('body').focus();
    for (let i = 0; i < controls.length + 10; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        return e.id || e.getAttribute('data-testid') || e.getAttribute('aria-label') || e.textContent.trim();
      }));
    }
    expect(controls.filter((c) => !reached.has(c))).toEqual([]);
    // The tree by keyboard: focus, arrow down, Enter collapses, selection follows focus.
    await page.locator('[role=treeitem][tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-selected'))).toBe('true');
    // The hex pane by keyboard.
    await page.getByTestId('hex-pane').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    expect(new URL(page.url()).hash).toContain('select=1');
  });

  it('has no accessibility violations (axe) on the transmit, receive and predict views', async () => {
    for (const hash of ['#step=iv&select=12', '#suite=GCM-AES-XPN-128&conf=1&step=ctr&break=key&predict=1', '#step=ghash&validate=check&break=an']) {
      await go(hash);
      const result = await new AxeBuilder({ page }).analyze();
      expect(result.violations.map((v) => `${hash}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
    }
  });

  it('makes no network requests beyond its own files', async () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
    // Its own files: the page, its script and its style (twice: the test reloads once).
    expect(requests.filter((u) => !/\/(index\.html)?(#.*)?$|\/assets\/[\w-]+\.(js|css)$/.test(u))).toEqual([]);
  });
});
