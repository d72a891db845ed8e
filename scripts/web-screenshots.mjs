// The README's screenshot of the frame lab: light theme, Annex C's first frame, the SecTAG selected.
// Serves dist/web with the teach server and drives Debian's chromium (never a downloaded browser).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveStatic } from '../dist/src/runs/teach-server.js';

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
  // C.2.1 (integrity only, ES=1) would show fewer bands: C.5.1's frame with SC=1 shows them all, but the README names Annex C's first frame.
  await page.goto(`${url}#conf=1&step=iv`);
  await page.locator('[role=treeitem]', { hasText: 'SecTAG' }).first().locator('.node').first().click();
  const out = join(root, 'docs', 'frame-lab.png');
  await page.screenshot({ path: out, fullPage: false });
  const full = join(root, 'docs', 'frame-lab-full.png');
  if (process.argv.includes('--full')) await page.screenshot({ path: full, fullPage: true });
  console.log(`screenshots: wrote ${out}`);
} finally {
  await browser.close();
  server.close();
}
