/**
 * The CAK and CKN of a wpa_supplicant configuration: the `mka_cak` and `mka_ckn` lines of its network
 * block (hex, as wpa_supplicant.conf documents them). A file with several such networks is ambiguous.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../util/hex.js';
import { UsageError } from '../util/errors.js';

export interface CakAndCkn {
  readonly cak: Uint8Array;
  readonly ckn: Uint8Array;
}

/** Parses the text of a wpa_supplicant configuration; `file` names it in errors. */
export function parseWpaConf(text: string, file: string): CakAndCkn {
  const found: { cak?: string; ckn?: string; line: number }[] = [];
  let current: { cak?: string; ckn?: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('#') || line === '') return;
    if (/^network\s*=\s*\{$/.test(line)) {
      current = { line: i + 1 };
      found.push(current);
      return;
    }
    if (line === '}') {
      current = undefined;
      return;
    }
    const m = /^(mka_cak|mka_ckn)\s*=\s*"?([^"]*)"?$/.exec(line);
    if (m === null) return;
    if (current === undefined) throw new UsageError(`${file}:${i + 1}: ${m[1]} outside a network block`);
    const value = m[2]!;
    if (m[1] === 'mka_cak') current.cak = value;
    else current.ckn = value;
  });
  const withCak = found.filter((n) => n.cak !== undefined || n.ckn !== undefined);
  if (withCak.length === 0) throw new UsageError(`${file}: no network block with mka_cak and mka_ckn`);
  if (withCak.length > 1) throw new UsageError(`${file}: ${withCak.length} network blocks with mka_cak (lines ${withCak.map((n) => n.line).join(', ')}): give --cak and --ckn`);
  const n = withCak[0]!;
  if (n.cak === undefined || n.ckn === undefined) throw new UsageError(`${file}:${n.line}: the network block needs both mka_cak and mka_ckn`);
  return { cak: fromHex(n.cak, `${file}: mka_cak`), ckn: fromHex(n.ckn, `${file}: mka_ckn`) };
}

export function readWpaConf(path: string): CakAndCkn {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseWpaConf(text, path);
}
