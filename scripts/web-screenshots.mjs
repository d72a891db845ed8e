// The README's screenshots: the frame lab (light theme, Annex C's first frame, the SecTAG selected) and the
// link lab (the replay scenario paused on a caught replay).
// Serves dist/web with the teach server and drives Debian's chromium (never a downloaded browser).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveStatic } from '../dist/src/runs/teach-server.js';
import { loadScenarioFile } from '../dist/src/link/scenario.js';
import { simulate } from '../dist/src/link/simulate.js';

const root = join(import.meta.dirname, '..');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`screenshots: no Chromium at ${executablePath} (set CHROMIUM to its path)`);
  process.exit(2);
}
const { server, url } = await serveStatic(join(root, 'dist', 'web'), '127.0.0.1', 0);
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, colorScheme: 'light', deviceScaleFactor: 1, reducedMotion: 'reduce' });
  // C.6.1: GCM-AES-128, SCI in the SecTAG, encrypted, so every band shows.
  const v = JSON.parse(readFileSync(join(root, 'vectors', 'gcm-aes-128.json'), 'utf8')).find((x) => x.name.startsWith('C.6.1'));
  await page.goto(`${url}#key=${v.key}&sci=${v.sci}&an=${v.an}&pn=${v.pn}&conf=1&frame=${v.unprotectedFrame}&step=iv`);
  await page.locator('[role=treeitem] > .node', { has: page.locator('.label', { hasText: /^SecTAG$/ }) }).click();
  await page.evaluate(() => window.scrollTo(0, document.getElementById('lab').offsetTop));
  const out = join(root, 'docs', 'frame-lab.png');
  await page.screenshot({ path: out, fullPage: false });
  const full = join(root, 'docs', 'frame-lab-full.png');
  if (process.argv.includes('--full')) await page.screenshot({ path: full, fullPage: true });
  console.log(`screenshots: wrote ${out}`);

  // The link lab paused on the third replayed copy the receiver counts InPktsLate: its step is that event's
  // index in the run (the page's step 0 is the start, before any event).
  let seq = 0;
  let late = 0;
  let step;
  simulate(loadScenarioFile(join(root, 'examples', 'scenarios', 'replay.json')), {
    onEvent(e) {
      seq++;
      if (step === undefined && e.kind === 'arrived' && e.outcome === 'InPktsLate' && ++late === 3) step = seq;
    },
  });
  await page.goto(`${url}link.html#scenario=replay&step=${step}`);
  await page.locator('#lab[data-state="ready"]').waitFor();
  const lab = await page.locator('#lab').boundingBox();
  const boxes = await Promise.all(['#events', '#keys'].map((s) => page.locator(s).boundingBox()));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + 16;
  const link = join(root, 'docs', 'link-lab.png');
  await page.screenshot({ path: link, fullPage: true, clip: { x: 0, y: lab.y - 8, width: 1440, height: bottom - lab.y + 8 } });
  console.log(`screenshots: wrote ${link}`);
} finally {
  await browser.close();
  server.close();
}
