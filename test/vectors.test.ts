import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/crypto/backend.js';
import { loadVectorFile } from '../src/conformance/files.js';
import { runVector } from '../src/conformance/vectors.js';

const dir = join(import.meta.dirname, '..', 'vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('IEEE 802.1AE Annex C vectors', () => {
  it('ships all 32', () => {
    expect(files.flatMap((f) => loadVectorFile(join(dir, f)))).toHaveLength(32);
  });
  // CI installs g++, make and python3, so there the native addon must have built: its vectors must run.
  it.runIf(process.env['CI'] === 'true')('CI built the native backend', () => {
    expect(availableBackends().find((b) => b.name === 'native')).toMatchObject({ available: true });
  });
  // Every backend, the optional native one skipped (saying why) when its addon is not built.
  for (const b of availableBackends()) {
    if (!b.available) console.warn(`Annex C vectors: ${b.name} backend skipped: ${b.detail}`);
    describe.skipIf(!b.available)(b.available ? b.name : `${b.name} (skipped: ${b.detail})`, () => {
      for (const file of files) {
        for (const v of loadVectorFile(join(dir, file))) {
          it(`${v.name} [${b.name}]`, () => {
            expect(runVector(v, b.name)).toEqual({ name: v.name, backend: b.name, status: 'pass', problems: [] });
          });
        }
      }
    });
  }
});
