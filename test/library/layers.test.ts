/** The layering rule of `npm run lint` (.dependency-cruiser.cjs) catches an upward import and an import circle. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cruise, type IConfiguration, type ICruiseOptions } from 'dependency-cruiser';
import { expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

it('flags wire importing secy (upward) and a circle in util, and nothing else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'macsec-layers-'));
  const file = (path: string, text: string): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  file('src/wire/a.js', "import { b } from '../secy/b.js'; export const a = b;");
  file('src/secy/b.js', "import { u } from '../util/u.js'; export const b = u;");
  file('src/util/u.js', 'export const u = 1;');
  file('src/util/c.js', "import { d } from './d.js'; export const c = d;");
  file('src/util/d.js', "import { c } from './c.js'; export const d = 1; export const e = c;");
  const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as IConfiguration & { options: ICruiseOptions };
  const { tsConfig: _ts, ...options } = config.options;
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    const r = await cruise(['src'], { ...options, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } });
    const output = r.output as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    expect(output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort()).toEqual([
      'layers-wire: src/wire/a.js -> src/secy/b.js',
      'no-circular: src/util/c.js -> src/util/d.js',
    ]);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
