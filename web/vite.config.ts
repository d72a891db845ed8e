/**
 * The teaching pages, built to dist/web as static files (relative URLs, so any static host serves them).
 *
 * The pages import the engine by its package name, `macsec-sim/<subpath>`. Until the package's
 * browser-safe entry exists, the alias points those names at web/core/, which re-exports the browser-safe
 * source modules, and `browserSafeCore` swaps the two modules that reach Node today: the backend registry
 * (crypto/backend.ts, which loads the node and native backends) for a noble-only one, and node:fs /
 * node:path and node:url (reached through secy/snapshot.ts, util/json.ts and the scenario file loader, never
 * called by the pages) for a module that says they are not there, and node:crypto for SHA-256 (node-crypto.ts:
 * a SecY hashes each transmit SA's key into its keyId). Two pages: the frame lab
 * (index.html) and the link lab (link.html), whose simulation runs in a worker.
 */
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const here = import.meta.dirname;
const src = resolve(here, '..', 'src');

function browserSafeCore(): Plugin {
  return {
    name: 'macsec-sim-browser-safe-core',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'node:crypto') return resolve(here, 'core', 'node-crypto.ts');
      if (/^node:(fs|path|url)$/.test(source)) return resolve(here, 'core', 'node-unavailable.ts');
      if (importer?.startsWith(src) && /(^|\/)backend\.js$/.test(source) && resolve(importer, '..', source) === resolve(src, 'crypto', 'backend.js')) {
        return resolve(here, 'core', 'backend.ts');
      }
      return null;
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [browserSafeCore()],
  worker: { format: 'es', plugins: () => [browserSafeCore()] },
  resolve: {
    alias: [{ find: /^macsec-sim\/(crypto|wire|secy|explain|vectors|link|mka|scenarios)$/, replacement: resolve(here, 'core', '$1.ts') }],
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
