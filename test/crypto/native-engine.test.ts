/**
 * The native backend's GCM engine: intel-ipsec-mb where `npm install` found it, else OpenSSL EVP. In CI on
 * x86-64 (where .ci/run installs libipsec-mb-dev) the engine must be ipsec-mb. The EVP build, made here
 * from a copy of the sources with ipsec-mb detection turned off, must give the same bytes as the engine
 * in use, and both must agree with node:crypto (the independent oracle).
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeEngine, nativeStatus } from '../../src/crypto/native.js';

const root = resolve(import.meta.dirname, '..', '..');
const status = nativeStatus();

describe('the native engine in use', () => {
  it.runIf(process.env['CI'] !== undefined && process.arch === 'x64')('is intel-ipsec-mb in CI on x86-64', () => {
    expect(status.available ? status.engine : status.reason).toMatch(/^ipsec-mb (sse|avx|avx2|avx512)$/);
  });

  it.runIf(status.available)('is named, with the library behind it', () => {
    expect(nativeEngine()).toMatch(/^(ipsec-mb (sse|avx|avx2|avx512)|evp)$/);
    if (status.available) expect(status.library).toMatch(nativeEngine() === 'evp' ? /^OpenSSL / : /^intel-ipsec-mb \d/);
  });

  it.runIf(status.available)('`npm install` recorded the same engine it built', () => {
    const recorded = JSON.parse(readFileSync(join(root, 'build', 'native-status.json'), 'utf8')) as { engine?: string };
    expect(recorded.engine).toMatch(nativeEngine() === 'evp' ? /^OpenSSL EVP$/ : /^intel-ipsec-mb \(/);
  });
});

interface RawAddon {
  readonly engine: string;
  createSa(key: Uint8Array): unknown;
  seal(sa: unknown, iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void;
  open(sa: unknown, iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean;
}

/** node:crypto's AES-GCM: ciphertext ‖ tag. */
function oracle(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array): Uint8Array {
  const c = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, iv);
  c.setAAD(aad);
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

describe.runIf(status.available)('the EVP fallback build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'macsec-evp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds with MACSEC_SIM_IPSEC_MB=0, and every engine seals and opens as node:crypto does', () => {
    for (const part of ['native', 'scripts', 'binding.gyp', 'package.json']) cpSync(join(root, part), join(dir, part), { recursive: true });
    const run = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], { cwd: dir, encoding: 'utf8', env: { ...process.env, MACSEC_SIM_IPSEC_MB: '0' } });
    expect(run.stdout).toContain('built on OpenSSL EVP');
    const path = join(dir, 'build', 'Release', 'macsec_gcm.node');
    expect(existsSync(path)).toBe(true);
    const evp = createRequire(import.meta.url)(path) as RawAddon;
    const inUse = createRequire(import.meta.url)(join(root, 'build', 'Release', 'macsec_gcm.node')) as RawAddon;
    expect(evp.engine).toBe('evp');
    for (const keyLength of [16, 32]) {
      const key = randomBytes(keyLength);
      const engines = [evp, inUse].map((a) => ({ a, sa: a.createSa(key) }));
      // AAD 28 (SecTAG with SCI), 20 (without), up to a whole integrity-only frame; data from none to odd tails.
      for (const [aadLen, dataLen] of [[28, 0], [20, 1], [28, 48], [78, 15], [28, 1502], [1530, 0], [20, 17]] as const) {
        const iv = randomBytes(12);
        const frame = randomBytes(aadLen + dataLen + 16);
        const expected = oracle(key, iv, frame.subarray(0, aadLen), frame.subarray(aadLen, aadLen + dataLen));
        for (const { a, sa } of engines) {
          const buf = Uint8Array.from(frame);
          a.seal(sa, iv, buf, 0, aadLen, aadLen, dataLen, aadLen + dataLen);
          expect(Buffer.from(buf.subarray(aadLen)).toString('hex'), `${a.engine} seal ${aadLen}/${dataLen}`).toBe(Buffer.from(expected).toString('hex'));
          const sealed = Uint8Array.from(buf);
          buf[buf.length - 1]! ^= 1;
          expect(a.open(sa, iv, buf, 0, aadLen, aadLen, dataLen, aadLen + dataLen), `${a.engine} open, ICV flipped`).toBe(false);
          expect(Buffer.from(buf.subarray(0, aadLen + dataLen)).equals(sealed.subarray(0, aadLen + dataLen))).toBe(true); // left as it was
          buf[buf.length - 1]! ^= 1;
          expect(a.open(sa, iv, buf, 0, aadLen, aadLen, dataLen, aadLen + dataLen), `${a.engine} open`).toBe(true);
          expect(Buffer.from(buf).equals(Buffer.concat([frame.subarray(0, aadLen + dataLen), expected.subarray(dataLen)]))).toBe(true);
        }
      }
    }
  }, 120_000);
});
