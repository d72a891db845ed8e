/**
 * The teaching pages, built to dist/web as static files (relative URLs, so any static host serves them).
 *
 * The pages import the engine by its package name, `macsec-sim/<subpath>`. Until the package's
 * browser-safe entry exists, the alias points those names at web/core/, which re-exports the browser-safe
 * source modules, and `browserSafeCore` swaps the two modules that reach Node today: the backend registry
 * (crypto/backend.ts, which loads the node and native backends) for a noble-only one, and node:fs /
 * node:crypto (reached through secy/snapshot.ts and util/json.ts, never called by the pages) for a module
 * that says they are not there.
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
      if (source === 'node:fs' || source === 'node:crypto') return resolve(here, 'core', 'node-unavailable.ts');
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
  resolve: {
    alias: [{ find: /^macsec-sim\/(crypto|wire|secy|explain|vectors)$/, replacement: resolve(here, 'core', '$1.ts') }],
  },
  build: {
    outDir: resolve(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
});
