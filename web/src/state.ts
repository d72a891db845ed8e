/**
 * The page's state and its URL hash (the contract in issue 13 / README): every parameter optional, hex in
 * any case and written back lower case, and a parameter that does not parse reported by name and left at
 * its default.
 */
import { CIPHER_SUITES, CONFIDENTIALITY_OFFSETS, type CipherSuiteName, type ConfidentialityOffset } from 'macsec-sim/crypto';
import { TRACE_STEPS, type TraceStep } from 'macsec-sim/explain';
import { VALIDATE_FRAMES, type ValidateFrames } from 'macsec-sim/secy';
import { ANNEX_C_ENTRIES, type AnnexCEntry } from 'macsec-sim/conformance';
import { fromHex, toHex } from 'macsec-sim/wire';

/** Edits that make the receiver refuse the frame (besides flipping bits, which edits `protected`). */
export type Breaking = 'replay' | 'an' | 'key';
export const BREAKINGS: readonly Breaking[] = ['replay', 'an', 'key'];

export interface State {
  readonly suite: CipherSuiteName;
  readonly key: string;
  readonly sci: string;
  readonly an: number;
  readonly pn: bigint;
  readonly ssci: string;
  readonly salt: string;
  readonly conf: boolean;
  readonly offset: ConfidentialityOffset;
  readonly sc: boolean;
  readonly es: boolean;
  readonly scb: boolean;
  /** The unprotected frame, DA to the end of the payload, lower-case hex. */
  readonly frame: string;
  /** A protected frame to receive instead of the built one. */
  readonly protected: string | undefined;
  readonly validate: ValidateFrames;
  readonly replayProtect: boolean;
  readonly window: number;
  readonly lowest: bigint | undefined;
  readonly step: TraceStep | undefined;
  readonly select: number | undefined;
  /** Page extensions beyond the contract's table: a breaking edit, the bit `flip` flips, predict mode. */
  readonly break: Breaking | undefined;
  readonly bit: number;
  readonly predict: boolean;
}

/** A vector of each suite: the first of Annex C's (C.1.x), the defaults the contract names. */
const firstOf = (suite: CipherSuiteName): AnnexCEntry => ANNEX_C_ENTRIES.find((v) => v.cipherSuite === suite)!;
const FIRST = firstOf('GCM-AES-128');
const FIRST_XPN = firstOf('GCM-AES-XPN-128');

export function defaults(suite: CipherSuiteName): State {
  const v = firstOf(suite);
  return {
    suite,
    key: v.key,
    sci: FIRST.sci,
    an: FIRST.an,
    pn: BigInt(CIPHER_SUITES[suite].xpn ? FIRST_XPN.pn : FIRST.pn),
    ssci: FIRST_XPN.ssci!,
    salt: FIRST_XPN.salt!,
    conf: FIRST.confidentiality,
    offset: 0,
    sc: true,
    es: false,
    scb: false,
    frame: FIRST.unprotectedFrame,
    protected: undefined,
    validate: 'Strict',
    replayProtect: true,
    window: 0,
    lowest: undefined,
    step: undefined,
    select: undefined,
    break: undefined,
    bit: 0,
    predict: false,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the hash said that could not be used: parameter name and why. */
export interface ParamProblem {
  readonly name: string;
  readonly message: string;
}

const bool = (v: string): boolean | undefined => (v === '1' ? true : v === '0' ? false : undefined);
const decimal = (v: string, max: bigint): bigint | undefined => (/^\d{1,20}$/.test(v) && BigInt(v) <= max ? BigInt(v) : undefined);

function hexParam(v: string, name: string, lengths: readonly number[]): string {
  const bytes = fromHex(v, name);
  if (lengths.length > 0 && !lengths.includes(bytes.length)) throw new Error(`${name}: ${lengths.join(' or ')} octets, got ${bytes.length}`);
  return toHex(bytes);
}

export function parseHash(hash: string): { state: State; problems: ParamProblem[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: ParamProblem[] = [];
  const suiteText = params.get('suite');
  const suite = (Object.keys(CIPHER_SUITES) as CipherSuiteName[]).find((s) => s === suiteText?.toUpperCase());
  if (suiteText !== null && suite === undefined) problems.push({ name: 'suite', message: `unknown cipher suite "${suiteText}"` });
  const s: Mutable<State> = { ...defaults(suite ?? 'GCM-AES-128') };
  const xpn = CIPHER_SUITES[s.suite].xpn;
  const take = (name: string, parse: (v: string) => void): void => {
    const v = params.get(name);
    if (v === null) return;
    try {
      parse(v);
    } catch (e) {
      problems.push({ name, message: e instanceof Error ? e.message : String(e) });
    }
  };
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(what);
    return value;
  };
  take('key', (v) => (s.key = hexParam(v, 'key', [CIPHER_SUITES[s.suite].keyLength])));
  take('sci', (v) => (s.sci = hexParam(v, 'sci', [8])));
  take('an', (v) => (s.an = Number(need(/^[0-3]$/.test(v) ? v : undefined, `an: 0-3, got "${v}"`))));
  take('pn', (v) => (s.pn = need(decimal(v, CIPHER_SUITES[s.suite].maxPN), `pn: a decimal up to ${CIPHER_SUITES[s.suite].maxPN}, got "${v}"`)));
  take('ssci', (v) => (s.ssci = hexParam(v, 'ssci', [4])));
  take('salt', (v) => (s.salt = hexParam(v, 'salt', [12])));
  take('conf', (v) => (s.conf = need(bool(v), `conf: 1 or 0, got "${v}"`)));
  take('offset', (v) => (s.offset = need(CONFIDENTIALITY_OFFSETS.find((o) => String(o) === v), `offset: 0, 30 or 50, got "${v}"`)));
  take('sc', (v) => (s.sc = need(bool(v), `sc: 1 or 0, got "${v}"`)));
  take('es', (v) => (s.es = need(bool(v), `es: 1 or 0, got "${v}"`)));
  take('scb', (v) => (s.scb = need(bool(v), `scb: 1 or 0, got "${v}"`)));
  take('frame', (v) => (s.frame = hexParam(v, 'frame', [])));
  take('protected', (v) => (s.protected = hexParam(v, 'protected', [])));
  take('validate', (v) => (s.validate = need(VALIDATE_FRAMES.find((m) => m.toLowerCase() === v.toLowerCase()), `validate: strict, check or disabled, got "${v}"`)));
  take('replayProtect', (v) => (s.replayProtect = need(bool(v), `replayProtect: 1 or 0, got "${v}"`)));
  take('window', (v) => (s.window = Number(need(decimal(v, xpn ? 0x3fff_ffffn : 0xffff_ffffn), `window: a decimal up to ${xpn ? 2 ** 30 - 1 : 2 ** 32 - 1}, got "${v}"`))));
  take('lowest', (v) => (s.lowest = need(decimal(v, CIPHER_SUITES[s.suite].maxPN), `lowest: a decimal up to ${CIPHER_SUITES[s.suite].maxPN}, got "${v}"`)));
  take('step', (v) => (s.step = need(TRACE_STEPS.find((t) => t === v), `step: one of ${TRACE_STEPS.join(', ')}, got "${v}"`)));
  take('select', (v) => (s.select = Number(need(decimal(v, 100_000n), `select: an octet offset, got "${v}"`))));
  take('break', (v) => (s.break = need(BREAKINGS.find((b) => b === v), `break: replay, an or key, got "${v}"`)));
  take('bit', (v) => (s.bit = Number(need(/^[0-7]$/.test(v) ? v : undefined, `bit: 0-7, got "${v}"`))));
  take('predict', (v) => (s.predict = need(bool(v), `predict: 1 or 0, got "${v}"`)));
  return { state: s, problems };
}

/** The hash for a state: the parameters that differ from their defaults, in the contract's order. */
export function formatHash(s: State): string {
  const d = defaults(s.suite);
  const p: [string, string][] = [];
  const put = (name: string, value: string, fallback: string): void => {
    if (value !== fallback) p.push([name, value]);
  };
  const flag = (b: boolean): string => (b ? '1' : '0');
  put('suite', s.suite, 'GCM-AES-128');
  put('key', s.key, d.key);
  put('sci', s.sci, d.sci);
  put('an', String(s.an), String(d.an));
  put('pn', String(s.pn), String(d.pn));
  if (CIPHER_SUITES[s.suite].xpn) {
    put('ssci', s.ssci, d.ssci);
    put('salt', s.salt, d.salt);
  }
  put('conf', flag(s.conf), flag(d.conf));
  put('offset', String(s.offset), '0');
  put('sc', flag(s.sc), '1');
  put('es', flag(s.es), '0');
  put('scb', flag(s.scb), '0');
  put('frame', s.frame, d.frame);
  if (s.protected !== undefined) p.push(['protected', s.protected]);
  put('validate', s.validate.toLowerCase(), 'strict');
  put('replayProtect', flag(s.replayProtect), '1');
  put('window', String(s.window), '0');
  if (s.lowest !== undefined) p.push(['lowest', String(s.lowest)]);
  if (s.step !== undefined) p.push(['step', s.step]);
  if (s.select !== undefined) p.push(['select', String(s.select)]);
  if (s.break !== undefined) p.push(['break', s.break]);
  put('bit', String(s.bit), '0');
  put('predict', flag(s.predict), '0');
  return p.length === 0 ? '' : `#${p.map(([k, v]) => `${k}=${v}`).join('&')}`;
}
