import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStatic } from '../../src/runs/teach-server.js';
import { annexCVector, type AnnexCVector } from '../support/annex-c.js';
import { macsec, ROOT } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macsec-teach-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


function saFile(v: AnnexCVector): string {
  const path = join(dir, `${v.name.slice(0, 5)}.json`);
  const { cipherSuite, key, sci, an, pn, ssci, salt, confidentiality } = v;
  writeFileSync(path, JSON.stringify({ cipherSuite, key, sci, an, pn, ssci, salt, confidentiality }));
  return path;
}

describe('macsec explain --steps', () => {
  for (const [file, name] of [['gcm-aes-128.json', 'C.5.1'], ['gcm-aes-xpn-256.json', 'C.8.4']] as const) {
    it(`prints the GCM steps of ${name}, ending in its ICV`, () => {
      const v = annexCVector(file, name);
      const r = macsec(['explain', v.protectedFrame, '--sa', saFile(v), '--steps']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.split('\n');
      for (const step of ['h', 'iv', 'j0', 'ctr', 'ghash', 'tag']) expect(lines.some((l) => l.startsWith(`${step.padEnd(6)} `))).toBe(true);
      const icv = v.icv.replace(/(.{8})(?=.)/g, '$1 ');
      expect(lines.find((l) => l.includes('tag = S XOR E_K(J0)'))).toContain(icv);
      expect(lines.find((l) => l.includes('received ICV'))).toContain('verifies');
    });
  }
  it('--json carries the steps in hex', () => {
    const v = annexCVector('gcm-aes-128.json', 'C.1.1');
    const r = macsec(['explain', v.protectedFrame, '--sa', saFile(v), '--steps', '--json']);
    expect((JSON.parse(r.stdout) as { steps: { tag: string } }).steps.tag).toBe(v.icv);
  });
  it('needs --sa', () => {
    const r = macsec(['explain', annexCVector('gcm-aes-128.json', 'C.1.1').protectedFrame, '--steps']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('macsec: --steps: one frame (HEX or --file) with its keys (--sa)\n');
  });
});

describe('macsec teach', () => {
  it('refuses a path outside its folder, a symbolic link out of it included', () => {
    const root = join(dir, 'site');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'index.html'), 'x');
    writeFileSync(join(dir, 'secret.txt'), 'x');
    symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
    expect(resolveStatic(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStatic(root, '/sub')).toBeUndefined();
    expect(resolveStatic(root, '/../secret.txt')).toBeUndefined();
    expect(resolveStatic(root, '/%2e%2e/secret.txt')).toBeUndefined();
    expect(resolveStatic(root, '/link.txt')).toBeUndefined();
    expect(resolveStatic(root, '/%E0%A4%A')).toBeUndefined();
  });

  it('serves dist/web on 127.0.0.1 and prints its URL', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'teach', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`teach exited ${code}`)));
      });
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(line)?.[0];
      expect(url).toBeDefined();
      const get = (path: string): Promise<{ status: number; type: string; body: string }> =>
        new Promise((resolve, reject) => {
          const u = new URL(url!);
          request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
          })
            .on('error', reject)
            .end();
        });
      const index = await get('/');
      expect(index.status).toBe(200);
      expect(index.type).toBe('text/html; charset=utf-8');
      expect(index.body).toContain('MACsec frame lab');
      expect((await get('/../package.json')).status).toBe(404);
      expect((await get('/%2e%2e/package.json')).status).toBe(404);
    } finally {
      child.kill();
    }
  });
});
