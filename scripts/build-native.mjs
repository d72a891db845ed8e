/**
 * `npm install` hook: builds the optional native backend (native/macsec_gcm.c, see binding.gyp) with
 * npm's bundled node-gyp against the running Node's own headers, <prefix>/include/node, the prefix taken
 * from process.execPath. Where intel-ipsec-mb's header is found (Debian: libipsec-mb-dev, x86-64) the
 * addon is built on it (-lIPSec_MB), else on OpenSSL EVP; MACSEC_SIM_IPSEC_MB=0 builds on EVP regardless. node-gyp is always given --nodedir, because without it node-gyp downloads a
 * headers tarball from nodejs.org (no network in CI; a user npmrc `nodedir` is not to be relied on).
 *
 * Never fails the install: when the addon cannot be built it prints one line saying why, records the
 * reason in build/native-status.json (which `macsec bench` and availableBackends() report), and exits 0.
 * MACSEC_SIM_NATIVE=0 skips the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'macsec_gcm.node');

/** Prints one line, records the outcome for the runtime to report, and ends the install step successfully. */
function finish(built, reason, engine) {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, 'build', 'native-status.json'), `${JSON.stringify({ built, reason, engine, node: process.version, at: new Date().toISOString() })}\n`);
  console.log(built ? `macsec-sim: native backend built on ${engine} (${addon})` : `macsec-sim: native backend not built: ${reason} (everything works without it)`);
  process.exit(0);
}

/** npm's own node-gyp: npm 11 does not export npm_config_node_gyp to scripts, but npm_execpath locates npm. */
function findNodeGyp(prefix) {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c));
}

/** The most telling line of a failed build: the compiler's or node-gyp's first error. */
function firstError(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const line =
    lines.find((l) => /\berror\b:/i.test(l) && !l.startsWith('gyp ERR! stack')) ??
    lines.find((l) => l.startsWith('gyp ERR! stack Error:')) ??
    lines.filter((l) => l.startsWith('gyp ERR!')).at(-1) ??
    lines.at(-1) ??
    'no output';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

if (process.env.MACSEC_SIM_NATIVE === '0') finish(false, 'skipped (MACSEC_SIM_NATIVE=0)');

// <prefix>/bin/node on Unix; node.exe sits in the prefix itself on Windows.
const prefix = [dirname(dirname(process.execPath)), dirname(process.execPath)].find((p) => existsSync(join(p, 'include', 'node', 'node_api.h')));
if (prefix === undefined) finish(false, `this Node has no headers (no include/node/node_api.h next to ${process.execPath})`);
if (!existsSync(join(prefix, 'include', 'node', 'openssl', 'evp.h'))) finish(false, `this Node ships no OpenSSL headers (${join(prefix, 'include', 'node', 'openssl')})`);
const nodeGyp = findNodeGyp(prefix);
if (nodeGyp === undefined) finish(false, "npm's bundled node-gyp was not found");

/** intel-ipsec-mb's header where the compiler looks for it (Debian puts it in /usr/include), or undefined. */
function ipsecMbHeader() {
  if (process.env.MACSEC_SIM_IPSEC_MB === '0') return undefined;
  const dirs = [...(process.env.CPATH ?? '').split(':').filter(Boolean), '/usr/local/include', '/usr/include'];
  return dirs.map((d) => join(d, 'intel-ipsec-mb.h')).find((h) => existsSync(h));
}

/** One node-gyp rebuild, on intel-ipsec-mb or on EVP. */
function build(ipsecMb) {
  return spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${prefix}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, npm_config_nodedir: prefix, MACSEC_SIM_BUILD_IPSEC_MB: ipsecMb ? '1' : '0' },
  });
}

const header = ipsecMbHeader();
let engine = header === undefined ? 'OpenSSL EVP' : `intel-ipsec-mb (${header})`;
let run = build(header !== undefined);
if (header !== undefined && (run.error || run.status !== 0 || !existsSync(addon))) {
  // A header without its library (or a library that does not link): EVP still gives a native backend.
  console.log(`macsec-sim: the intel-ipsec-mb build failed (${firstError(`${run.stdout}\n${run.stderr}`)}), building on OpenSSL EVP`);
  engine = 'OpenSSL EVP';
  run = build(false);
}
if (run.error) finish(false, `node-gyp did not run (${run.error.message})`);
if (run.status !== 0 || !existsSync(addon)) finish(false, `node-gyp failed: ${firstError(`${run.stdout}\n${run.stderr}`)}`);
finish(true, undefined, engine);
