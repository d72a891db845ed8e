/** A fresh clone stays clean: `npm install` rewrites nothing that is checked in. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const json = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, name), 'utf8')) as Record<string, unknown>;

describe('package-lock.json', () => {
  it('records hasInstallScript exactly when package.json has an install script, as npm install writes it', () => {
    const scripts = json('package.json')['scripts'] as Record<string, string>;
    const hasInstallScript = ['preinstall', 'install', 'postinstall'].some((s) => scripts[s] !== undefined);
    const root = (json('package-lock.json')['packages'] as Record<string, Record<string, unknown>>)[''];
    expect(root?.['hasInstallScript'] === true).toBe(hasInstallScript);
  });
});
