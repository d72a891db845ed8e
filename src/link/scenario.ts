/**
 * Scenario files: a link, the SecY settings of both ports, traffic, actors on the wire and key
 * rollover, as JSON (schema in README.md, examples under examples/scenarios/). Every field is checked
 * here, so a bad file fails before the run with the field's path and what was expected.
 */
import { cipherSuite, CONFIDENTIALITY_OFFSETS, type CipherSuite, type ConfidentialityOffset } from '../crypto/suite.js';
import { VALIDATE_FRAMES, type SecYControls } from '../secy/controls.js';
import { ConfigError } from '../util/errors.js';
import { Fields, isObject } from '../util/json.js';
import { parseDuration, PS_PER_US } from './clock.js';
import { parseLineRate } from './linerate.js';
import type { PayloadPattern, SizeSpec, VlanSpec } from './traffic.js';
import type { Side, TamperField } from './actors.js';
import { MAX_CKN_LENGTH, MIN_CKN_LENGTH } from '../mka/keys.js';
import { isVlanTpid } from '../wire/ethernet.js';
import { MKA_HELLO_TIME_PS, MKA_LIFE_TIME_PS, SAK_RETIRE_TIME_PS, type NoPeerPolicy } from '../mka/kay.js';

/** The SecY controls both ports use (802.1AE 10.7), under the standard's names. */
export type SecYSettings = Pick<
  SecYControls,
  | 'protectFrames'
  | 'validateFrames'
  | 'replayProtect'
  | 'replayWindow'
  | 'confidentialityProtect'
  | 'confidentialityOffset'
  | 'alwaysIncludeSCI'
  | 'useES'
  | 'useSCB'
> & { readonly cipherSuite: CipherSuite };

export interface TrafficFlow {
  readonly from: Side;
  readonly frames: number;
  readonly size: SizeSpec;
  /** Offered load as a share of the line rate (0-1], spread evenly; bursts send back to back. */
  readonly load: number;
  readonly burst: { readonly frames: number; readonly gapPs: number } | undefined;
  readonly startPs: number;
  readonly vlan: VlanSpec | undefined;
  readonly payload: PayloadPattern;
}

export type ActorSpec =
  | { readonly type: 'tap' }
  | { readonly type: 'drop'; readonly rate: number; readonly burst?: { readonly length: number; readonly every: number } }
  | { readonly type: 'duplicate'; readonly rate: number }
  | { readonly type: 'reorder'; readonly rate: number; readonly depth: number }
  | { readonly type: 'corrupt'; readonly rate: number; readonly bits: number }
  | { readonly type: 'jitter'; readonly maxPs: number }
  | { readonly type: 'replay'; readonly rate: number; readonly window: number; readonly after: number }
  | { readonly type: 'tamper'; readonly field: TamperField; readonly rate: number }
  | { readonly type: 'inject'; readonly rate: number };

export interface KeySettings {
  /** The first PN of each port's first SA. */
  readonly initialPN: bigint;
  /** Roll over to a new SA under the next AN when the PN reaches this (plain suites default 0xC0000000). */
  readonly rekeyAtPN: bigint | undefined;
  /** ...or every this many picoseconds. */
  readonly rekeyEveryPs: number | undefined;
  /** How long a receiver keeps the old SA after the switch, for frames still on their way. */
  readonly retireAfterPs: number;
}

/**
 * Key agreement (802.1X MKA) between the two ports: with it no static SA is installed, and traffic is
 * protected only once the KaYs have agreed a SAK.
 */
export interface MkaSettings {
  /** The pre-shared CAK (16 or 32 octets) and its name, the CKN (1-32 octets). */
  readonly cak: Uint8Array;
  readonly ckn: Uint8Array;
  /** Side b's own CAK or CKN, when they differ from a's (a CA that cannot form). */
  readonly cakB: Uint8Array | undefined;
  readonly cknB: Uint8Array | undefined;
  /** Key Server Priority of each port (lower wins; ties go to the lower SCI, which is a's). */
  readonly keyServerPriority: Readonly<Record<Side, number>>;
  /** What the key server asks for in its Distributed SAK; undefined: the SecY's confidentiality controls. */
  readonly confidentialityOffset: ConfidentialityOffset | 'none' | undefined;
  readonly helloTimePs: number;
  readonly lifeTimePs: number;
  /** How long the old SAs stay after the switch to a new SAK. */
  readonly retireTimePs: number;
  /** The Controlled Port without a Live Peer: traffic flows in clear, or nothing passes. */
  readonly policy: NoPeerPolicy;
  /** One port's KaY stops (sends and hears nothing more) at this time; its SecY keeps its SAs. */
  readonly silence: { readonly side: Side; readonly atPs: number } | undefined;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly link: { readonly rate: number; readonly cableMeters: number; readonly queueFrames: number };
  readonly secy: SecYSettings;
  readonly keys: KeySettings;
  readonly traffic: readonly TrafficFlow[];
  readonly actors: Readonly<Record<Side, readonly ActorSpec[]>>;
  /** Stop at this time even if traffic is left; undefined runs until all traffic is delivered. */
  readonly durationPs: number | undefined;
  /** Interval of the counter timeline. */
  readonly timelinePs: number | undefined;
  /** Teaching notes printed after the run. */
  readonly lessons: readonly string[];
  /** Key agreement; undefined: static SAs from the seeded generator, as `keys` says. */
  readonly mka: MkaSettings | undefined;
}

const TAMPER_FIELDS: readonly TamperField[] = ['payload', 'icv', 'tci', 'pn', 'an', 'sci', 'sl'];

const duration = (f: Fields, field: string, fallback?: string): number => {
  const v = f.raw(field) ?? fallback;
  try {
    return parseDuration(v as string, field);
  } catch {
    return f.fail(field, 'a duration like "10ms", "2.5us" or "100ns"', v);
  }
};

const rate = (f: Fields, field: string, fallback = 0): number => {
  const v = f.raw(field) ?? fallback;
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : f.fail(field, 'a probability from 0 to 1', v);
};

function sizeSpec(f: Fields): SizeSpec {
  const v = f.raw('size') ?? 512;
  if (v === 'imix') return 'imix';
  if (typeof v === 'number' && Number.isInteger(v) && v >= 64 && v <= 9216) return v;
  if (isObject(v) && Array.isArray(v['sweep']) && v['sweep'].length === 3 && v['sweep'].every((x) => Number.isInteger(x))) {
    const [min, max, step] = v['sweep'] as [number, number, number];
    if (min >= 64 && max >= min && max <= 9216 && step > 0) return { sweep: [min, max, step] };
  }
  return f.fail('size', 'octets 64-9216 (FCS included), "imix", or {"sweep": [min, max, step]}', v);
}

function flow(f: Fields): TrafficFlow {
  f.only('from', 'frames', 'size', 'load', 'burst', 'start', 'vlan', 'payload');
  const from = f.string('from', 'a');
  if (from !== 'a' && from !== 'b') f.fail('from', '"a" or "b"', from);
  const payload = f.string('payload', 'counter');
  if (!['counter', 'zeros', 'random', 'text'].includes(payload)) f.fail('payload', 'counter, zeros, random or text', payload);
  const loadText = f.raw('load') ?? 0.5;
  const load = typeof loadText === 'string' && /^\d+(\.\d+)?%$/.test(loadText) ? parseFloat(loadText) / 100 : loadText;
  if (typeof load !== 'number' || !(load > 0 && load <= 1)) f.fail('load', 'a share of the line rate, 0 < load <= 1 (or "50%")', loadText);
  let vlan: VlanSpec | undefined;
  if (f.has('vlan')) {
    const raw = f.raw('vlan');
    const v = new Fields(isObject(raw) ? raw : { vid: raw }, 'vlan');
    const tpid = v.integer('tpid', 0x8100, 0x88a8, 0x8100);
    // A tag's TPID is 802.1Q's C-tag or 802.1ad's S-tag: a frame with any other is not tagged to the receiver.
    if (!isVlanTpid(tpid)) v.fail('tpid', '0x8100 (802.1Q) or 0x88a8 (802.1ad)', `0x${tpid.toString(16)}`);
    vlan = { vid: v.integer('vid', 0, 4095), pcp: v.integer('pcp', 0, 7, 0), tpid };
  }
  let burst: TrafficFlow['burst'];
  if (f.has('burst')) {
    const raw = f.raw('burst');
    const b = new Fields(isObject(raw) ? raw : {}, 'burst');
    burst = { frames: b.integer('frames', 1, 1_000_000), gapPs: duration(b, 'gap', '10us') };
  }
  return {
    from,
    frames: f.integer('frames', 1, 50_000_000, 1000),
    size: sizeSpec(f),
    load,
    burst,
    startPs: duration(f, 'start', '0ns'),
    vlan,
    payload: payload as PayloadPattern,
  };
}

/** The fields each actor takes besides `type`. */
const ACTOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  tap: [],
  drop: ['rate', 'burst'],
  duplicate: ['rate'],
  reorder: ['rate', 'depth'],
  corrupt: ['rate', 'bits'],
  jitter: ['max'],
  replay: ['rate', 'window', 'after'],
  tamper: ['field', 'rate'],
  inject: ['rate'],
};

function actor(f: Fields): ActorSpec {
  const type = f.string('type');
  const fields = ACTOR_FIELDS[type];
  if (fields !== undefined) f.only('type', ...fields);
  switch (type) {
    case 'tap':
      return { type };
    case 'drop': {
      const burst = f.has('burst') ? new Fields(f.raw('burst') as Record<string, unknown>, 'burst') : undefined;
      return burst
        ? { type, rate: rate(f, 'rate'), burst: { length: burst.integer('length', 1, 1_000_000), every: burst.integer('every', 1, 1_000_000_000) } }
        : { type, rate: rate(f, 'rate') };
    }
    case 'duplicate':
      return { type, rate: rate(f, 'rate') };
    case 'reorder':
      return { type, rate: rate(f, 'rate'), depth: f.integer('depth', 1, 100_000, 4) };
    case 'corrupt':
      return { type, rate: rate(f, 'rate'), bits: f.integer('bits', 1, 64, 1) };
    case 'jitter':
      return { type, maxPs: duration(f, 'max') };
    case 'replay':
      return { type, rate: rate(f, 'rate'), window: f.integer('window', 1, 1_000_000, 64), after: f.integer('after', 0, 1_000_000_000, 0) };
    case 'tamper': {
      const field = f.string('field', 'payload');
      if (!(TAMPER_FIELDS as readonly string[]).includes(field)) f.fail('field', TAMPER_FIELDS.join(', '), field);
      return { type, field: field as TamperField, rate: rate(f, 'rate', 1) };
    }
    case 'inject':
      return { type, rate: rate(f, 'rate') };
    default:
      return f.fail('type', 'tap, drop, duplicate, reorder, corrupt, jitter, replay, tamper or inject', type);
  }
}

function secySettings(f: Fields, suiteFromMka: string | undefined): SecYSettings {
  const name = f.string('cipherSuite', suiteFromMka ?? 'GCM-AES-128');
  if (suiteFromMka !== undefined && name.toUpperCase() !== suiteFromMka.toUpperCase()) {
    f.fail('cipherSuite', `the cipher suite mka.cipherSuite names (${suiteFromMka}), or nothing`, name);
  }
  const suite = cipherSuite(name) ?? f.fail('cipherSuite', 'GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256', name);
  const validate = f.string('validateFrames', 'Strict');
  const validateFrames = VALIDATE_FRAMES.find((v) => v.toLowerCase() === validate.toLowerCase()) ?? f.fail('validateFrames', 'Disabled, Check or Strict', validate);
  const offset = f.integer('confidentialityOffset', 0, 50, 0);
  if (!(CONFIDENTIALITY_OFFSETS as readonly number[]).includes(offset)) f.fail('confidentialityOffset', '0, 30 or 50', offset);
  const useES = f.boolean('useES', false);
  const useSCB = f.boolean('useSCB', false);
  return {
    cipherSuite: suite,
    protectFrames: f.boolean('protectFrames', true),
    validateFrames,
    replayProtect: f.boolean('replayProtect', true),
    replayWindow: f.integer('replayWindow', 0, suite.xpn ? 2 ** 30 - 1 : 0xffff_ffff, 0),
    confidentialityProtect: f.boolean('confidentialityProtect', true),
    confidentialityOffset: offset as ConfidentialityOffset,
    alwaysIncludeSCI: f.boolean('alwaysIncludeSCI', !useES && !useSCB),
    useES,
    useSCB,
  };
}

function mkaSettings(f: Fields): MkaSettings {
  f.only('cak', 'ckn', 'keyServerPriority', 'cipherSuite', 'confidentialityOffset', 'helloTime', 'lifeTime', 'retireTime', 'policy', 'cakB', 'cknB', 'silence');
  const key = (field: string): Uint8Array => {
    const v = f.hex(field);
    return v.length === 16 || v.length === 32 ? v : f.fail(field, '16 or 32 octets in hex', f.raw(field));
  };
  const name = (field: string): Uint8Array => {
    const v = f.hex(field);
    return v.length >= MIN_CKN_LENGTH && v.length <= MAX_CKN_LENGTH ? v : f.fail(field, `${MIN_CKN_LENGTH}-${MAX_CKN_LENGTH} octets in hex`, f.raw(field));
  };
  const prio = f.raw('keyServerPriority') ?? 16;
  let keyServerPriority: Record<Side, number>;
  if (typeof prio === 'number') {
    keyServerPriority = { a: f.integer('keyServerPriority', 0, 255, 16), b: f.integer('keyServerPriority', 0, 255, 16) };
  } else {
    const p = new Fields(isObject(prio) ? prio : {}, 'mka.keyServerPriority');
    if (!isObject(prio)) f.fail('keyServerPriority', 'an integer 0-255, or {"a": 16, "b": 32}', prio);
    keyServerPriority = { a: p.integer('a', 0, 255, 16), b: p.integer('b', 0, 255, 16) };
  }
  let confidentialityOffset: MkaSettings['confidentialityOffset'];
  if (f.has('confidentialityOffset')) {
    const v = f.raw('confidentialityOffset');
    if (v === 'none' || (CONFIDENTIALITY_OFFSETS as readonly unknown[]).includes(v)) confidentialityOffset = v as ConfidentialityOffset | 'none';
    else f.fail('confidentialityOffset', '0, 30, 50 or "none" (integrity only)', v);
  }
  const policy = f.string('policy', 'unsecured');
  if (policy !== 'unsecured' && policy !== 'blocked') f.fail('policy', '"unsecured" or "blocked"', policy);
  const helloTimePs = duration(f, 'helloTime', `${MKA_HELLO_TIME_PS}ps`);
  const lifeTimePs = duration(f, 'lifeTime', `${MKA_LIFE_TIME_PS}ps`);
  if (helloTimePs <= 0) f.fail('helloTime', 'a duration above 0', f.raw('helloTime'));
  if (lifeTimePs <= helloTimePs) f.fail('lifeTime', 'longer than helloTime', f.raw('lifeTime'));
  let silence: MkaSettings['silence'];
  if (f.has('silence')) {
    const raw = f.raw('silence');
    const s = new Fields(isObject(raw) ? raw : {}, 'mka.silence');
    const side = s.string('side', 'b');
    if (side !== 'a' && side !== 'b') s.fail('side', '"a" or "b"', side);
    silence = { side: side as Side, atPs: duration(s, 'at') };
  }
  return {
    cak: key('cak'),
    ckn: name('ckn'),
    cakB: f.has('cakB') ? key('cakB') : undefined,
    cknB: f.has('cknB') ? name('cknB') : undefined,
    keyServerPriority,
    confidentialityOffset,
    helloTimePs,
    lifeTimePs,
    retireTimePs: duration(f, 'retireTime', `${SAK_RETIRE_TIME_PS}ps`),
    policy,
    silence,
  };
}

/** Decodes a scenario's JSON; `file` names it in errors. */
export function decodeScenario(doc: unknown, file = 'scenario'): Scenario {
  if (!isObject(doc)) throw new ConfigError(file, 'a JSON object', Array.isArray(doc) ? 'an array' : typeof doc);
  const f = new Fields(doc, '').only('name', 'description', 'seed', 'link', 'secy', 'keys', 'traffic', 'actors', 'duration', 'timeline', 'lessons', 'mka');
  const link = new Fields(isObject(doc['link']) ? doc['link'] : {}, 'link').only('rate', 'cableMeters', 'queueFrames');
  const mkaRaw = isObject(doc['mka']) ? doc['mka'] : undefined;
  if (doc['mka'] !== undefined && mkaRaw === undefined) f.fail('mka', 'an object', doc['mka']);
  const mkaFields = mkaRaw === undefined ? undefined : new Fields(mkaRaw, 'mka');
  const mkaSuite = mkaFields?.has('cipherSuite') ? mkaFields.string('cipherSuite') : undefined;
  if (mkaFields !== undefined && mkaSuite !== undefined && cipherSuite(mkaSuite) === undefined) mkaFields.fail('cipherSuite', 'GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256', mkaSuite);
  const secyFields = new Fields(isObject(doc['secy']) ? doc['secy'] : {}, 'secy').only(
    'cipherSuite', 'protectFrames', 'validateFrames', 'replayProtect', 'replayWindow',
    'confidentialityProtect', 'confidentialityOffset', 'alwaysIncludeSCI', 'useES', 'useSCB',
  );
  const secy = secySettings(secyFields, mkaSuite);
  const mka = mkaFields === undefined ? undefined : mkaSettings(mkaFields);
  const keysRaw = new Fields(isObject(doc['keys']) ? doc['keys'] : {}, 'keys').only('initialPN', 'rekeyAtPN', 'rekeyEvery', 'retireAfter');
  const minPN = secy.cipherSuite.xpn ? 0n : 1n;
  const keys: KeySettings = {
    initialPN: keysRaw.bigint('initialPN', minPN, secy.cipherSuite.maxPN, 1n),
    rekeyAtPN: keysRaw.has('rekeyAtPN') ? keysRaw.bigint('rekeyAtPN', 1n, secy.cipherSuite.maxPN) : undefined,
    rekeyEveryPs: keysRaw.has('rekeyEvery')
      ? mka === undefined
        ? duration(keysRaw, 'rekeyEvery')
        : keysRaw.fail('rekeyEvery', 'nothing with mka (the key server decides when to rekey: keys.rekeyAtPN sets the threshold)', keysRaw.raw('rekeyEvery'))
      : undefined,
    retireAfterPs: keysRaw.has('retireAfter') ? duration(keysRaw, 'retireAfter') : 100 * PS_PER_US,
  };
  const actorsRaw = isObject(doc['actors']) ? doc['actors'] : {};
  new Fields(actorsRaw, 'actors').only('a', 'b');
  const actorList = (side: Side): ActorSpec[] => (actorsRaw[side] === undefined ? [] : new Fields(actorsRaw, 'actors').array(side).map(actor));
  let lineRate: number;
  try {
    lineRate = parseLineRate((link.raw('rate') as string | number | undefined) ?? '10G', 'link.rate');
  } catch {
    lineRate = link.fail('rate', 'a line rate like "10G" (1G, 10G, 25G, 40G, 100G, 400G)', link.raw('rate'));
  }
  const lessons = f.has('lessons') ? (Array.isArray(doc['lessons']) ? doc['lessons'].map(String) : f.fail('lessons', 'an array of strings', doc['lessons'])) : [];
  return {
    name: f.string('name', file),
    description: f.string('description', ''),
    seed: f.integer('seed', 0, 0xffff_ffff, 1),
    link: { rate: lineRate, cableMeters: link.integer('cableMeters', 0, 100_000_000, 10), queueFrames: link.integer('queueFrames', 1, 10_000_000, 4096) },
    secy,
    keys,
    traffic: f.has('traffic') ? f.array('traffic').map(flow) : [flow(new Fields({}, 'traffic[0]'))],
    actors: { a: actorList('a'), b: actorList('b') },
    durationPs: f.has('duration') ? duration(f, 'duration') : undefined,
    timelinePs: f.has('timeline') ? duration(f, 'timeline') : undefined,
    lessons,
    mka,
  };
}
