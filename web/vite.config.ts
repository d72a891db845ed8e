/**
 * The teaching pages, built to dist/web as static files (relative URLs, so any static host serves them).
 * Two pages: the frame lab (index.html) and the link lab (link.html), whose simulation runs in a worker.
 *
 * The pages import the engine by its package name, `macsec-sim` and `macsec-sim/<entry>`, aliased here to
 * the entries' sources (src/index.ts, src/api/*.ts): the browser-safe core, which reaches no `node:` module.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;
const src = resolve(here, '..', 'src');
const ENTRIES = ['wire', 'crypto', 'secy', 'mka', 'link', 'explain', 'config', 'conformance'];

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  worker: { format: 'es' },
  resolve: {
    alias: [
      { find: /^macsec-sim$/, replacement: resolve(src, 'index.ts') },
      ...ENTRIES.map((entry) => ({ find: `macsec-sim/${entry}`, replacement: resolve(src, 'api', `${entry}.ts`) })),
    ],
  },
  build: {
    outDir: resolve(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: resolve(here, 'index.html'), link: resolve(here, 'link.html') } },
  },
});
