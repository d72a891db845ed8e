#!/usr/bin/env node
/**
 * Golden outputs of the link model: every built-in scenario with seeds 1 and 7, its pcaps (--pcap-dir) and its
 * final SecY counters (--json). Run by hand, not in npm test: `record DIR` with a build of the reference commit
 * (ef4e8dd), then `check DIR` with a build of the changed model; check exits 1 on any difference.
 *   node scripts/link-goldens.mjs record /tmp/link-goldens
 *   node scripts/link-goldens.mjs check /tmp/link-goldens
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [mode, dir, cliArg] = process.argv.slice(2);
if ((mode !== 'record' && mode !== 'check') || dir === undefined) {
  process.stderr.write('usage: link-goldens.mjs record|check DIR [path/to/cli/main.js]\n');
  process.exit(2);
}
const cli = cliArg ?? new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const run = (args) => execFileSync(process.execPath, [cli, 'simulate', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
const names = run(['--list']).split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]);
let differences = 0;
for (const name of names) {
  for (const seed of [1, 7]) {
    const id = `${name}-seed${seed}`;
    const target = join(dir, mode === 'record' ? id : `${id}.now`);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const result = JSON.parse(run(['--builtin', name, '--seed', String(seed), '--json', '--pcap-dir', target]));
    writeFileSync(join(target, 'counters.json'), `${JSON.stringify(result.counters, null, 2)}\n`);
    if (mode === 'record') {
      process.stdout.write(`recorded ${id}\n`);
      continue;
    }
    const golden = join(dir, id);
    const files = [...new Set([...readdirSync(golden), ...readdirSync(target)])].sort();
    const bad = files.filter((f) => !existsSync(join(golden, f)) || !existsSync(join(target, f)) || !readFileSync(join(golden, f)).equals(readFileSync(join(target, f))));
    differences += bad.length;
    process.stdout.write(`${bad.length === 0 ? 'same' : 'DIFFERENT'} ${id}${bad.length ? `: ${bad.join(', ')}` : ''}\n`);
    if (bad.length === 0) rmSync(target, { recursive: true, force: true });
  }
}
if (mode === 'check') {
  process.stdout.write(differences === 0 ? `all ${names.length * 2} runs identical\n` : `${differences} files differ\n`);
  process.exit(differences === 0 ? 0 : 1);
}
