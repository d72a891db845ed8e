import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding this package's package.json, from src/ (tests) or dist/src/ (installed) alike. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'macsec-sim') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('macsec-sim: cannot find the package folder');
    dir = parent;
  }
}
