import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from '../src/crypto/backend.js';
import { loadVectorFile, runVector } from '../src/conformance/vectors.js';

const dir = join(import.meta.dirname, '..', 'vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('IEEE 802.1AE Annex C vectors', () => {
  it('ships all 32', () => {
    expect(files.flatMap((f) => loadVectorFile(join(dir, f)))).toHaveLength(32);
  });
  for (const file of files) {
    for (const v of loadVectorFile(join(dir, file))) {
      for (const backend of BACKEND_NAMES) {
        it(`${v.name} [${backend}]`, () => {
          expect(runVector(v, backend)).toEqual({ name: v.name, backend, status: 'pass', problems: [] });
        });
      }
    }
  }
});
