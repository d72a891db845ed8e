/**
 * A BurstPool starts in whatever Node process a user runs it in: its workers inherit the process's options,
 * including V8 flags a Worker refuses when given explicitly (--expose-gc), but not --input-type (on the
 * command line or in NODE_OPTIONS), which a worker started from a file refuses. Run against the build
 * (dist), as a user's program imports it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const POOL = pathToFileURL(join(ROOT, 'dist/src/crypto/pool.js')).href;
const PROGRAM = `const { BurstPool } = await import(${JSON.stringify(POOL)}); const pool = await BurstPool.create(); console.log('workers', pool.workers); await pool.close();`;

const dir = mkdtempSync(join(tmpdir(), 'macsec-pool-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'program.mjs');
writeFileSync(file, PROGRAM);

const run = (...args: string[]): { status: number | null; out: string; err: string } => runWith(process.env, ...args);
const runWith = (env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; out: string; err: string } => {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
};
const started = { status: 0, out: 'workers 1', err: '' };

describe('BurstPool.create in a process started with Node options', () => {
  it.each([[[]], [['--expose-gc']], [['--expose-gc', '--max-old-space-size=512']], [['--enable-source-maps']]])('node %j --input-type=module -e ...: the pool starts and closes', (flags: string[]) => {
    expect(run(...flags, '--input-type=module', '-e', PROGRAM)).toEqual(started);
  });

  it.each([[[]], [['--expose-gc']], [['--expose-gc', '--enable-source-maps']]])('node %j program.mjs: the pool starts and closes', (flags: string[]) => {
    expect(run(...flags, file)).toEqual(started);
  });

  it('NODE_OPTIONS="--input-type=module --expose-gc" node -e ...: the pool starts and closes (the worker is started without --input-type)', () => {
    expect(runWith({ ...process.env, NODE_OPTIONS: '--input-type=module --expose-gc' }, '-e', PROGRAM)).toEqual(started);
  });
});
