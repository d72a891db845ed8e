/** The SecY's management controls (802.1AE 10.7), their defaults and their checks. */
import type { BurstExecutor } from '../crypto/burst.js';
import { checkBackendName, DEFAULT_BACKEND, type BackendName } from '../crypto/backend.js';
import { CIPHER_SUITES, CONFIDENTIALITY_OFFSETS, cipherSuite, type CipherSuite, type CipherSuiteName, type ConfidentialityOffset } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import { parseSci } from '../wire/sci.js';
import { SCI_LENGTH } from '../wire/sectag.js';
import { checkReplayWindow } from './replay.js';

/** validateFrames (10.7): what the receiver does with frames that fail, or skip, validation. */
export type ValidateFrames = 'Disabled' | 'Check' | 'Strict';
export const VALIDATE_FRAMES: readonly ValidateFrames[] = ['Disabled', 'Check', 'Strict'];

export interface SecYControls {
  /** protectFrames (10.7): false sends every frame untagged (OutPktsUntagged). Default true. */
  readonly protectFrames: boolean;
  /** validateFrames (10.7). Default 'Strict'. */
  readonly validateFrames: ValidateFrames;
  /** replayProtect (10.7). Default true. */
  readonly replayProtect: boolean;
  /** replayWindow (10.7): 0 = strictly increasing PNs. At most 2^32 - 1, 2^30 - 1 with XPN. Default 0. */
  readonly replayWindow: number;
  /** confidentialityProtect: E=1, C=1 on transmit. Default true (wpa_supplicant's default policy). */
  readonly confidentialityProtect: boolean;
  /** confidentialityOffset (10.7): octets of user data sent in clear when encrypting. Default 0. */
  readonly confidentialityOffset: ConfidentialityOffset;
  /** alwaysIncludeSCI (10.7): SC=1 on every frame. Default false, as the standard (Linux's send_sci defaults on). */
  readonly alwaysIncludeSCI: boolean;
  /** useES (10.7): set ES (and leave the SCI out) when the SCI is the source address ‖ port 1 (port 0 with useSCB, 9.5). Default false. */
  readonly useES: boolean;
  /** useSCB (10.7): set SCB (EPON single copy broadcast) and leave the SCI out. Default false. */
  readonly useSCB: boolean;
  /**
   * Largest MPDU the Common Port sends, DA to ICV, FCS excluded; longer ones count OutPktsTooLong.
   * Default 1996: the 802.3 envelope frame of 2000 octets less its FCS.
   */
  readonly maxFrameSize: number;
  /**
   * At most this many VLAN tags between SA and SecTAG stay in clear, outside the ICV (an extension beside the
   * standard: Linux's layout over a VLAN device). Default 0: VLAN tags are user data, as 802.1AE has it.
   */
  readonly clearTags: 0 | 1 | 2;
  /** A transmit SA raises "rekeyNeeded" (once) when it sends a PN >= this. Default 0xC0000000 (wpa_supplicant), 0xC000000000000000 with XPN. */
  readonly rekeyThreshold: bigint;
  /**
   * Frames the receive engine validates per `receive` call or `receiveBurst`; frames beyond it that need
   * validation are discarded as InPktsOverrun. Default Infinity.
   */
  readonly receiveCapacity: number;
}

export type SciInput = Uint8Array | string;

export interface SecYOptions extends Partial<SecYControls> {
  /** The SCI of this SecY's transmit SC: 8 octets, or hex ("00:11:22:33:44:55:00:01"). */
  readonly sci: SciInput;
  /** Current cipher suite (10.7), fixed for the SecY's life. Default GCM-AES-128. */
  readonly cipherSuite?: CipherSuiteName | CipherSuite;
  /** Where AES comes from, for every SA of this SecY. Default 'noble'. */
  readonly backend?: BackendName;
  /** PNs a transmit snapshot saves ahead of nextPN (snapshot.ts). Default 2^16. */
  readonly pnHeadroom?: bigint;
  /**
   * Where the crypto of `transmitBurst`/`receiveBurst` runs: each SA's key is installed in it when the SA is
   * (a `BurstPool` from the node-only crypto/pool.ts splits large bursts between threads, and the kernel
   * calls of `transmitPacked`/`receivePacked`, over SharedArrayBuffers only). Default: here.
   */
  readonly executor?: BurstExecutor;
}

export const DEFAULT_MAX_FRAME_SIZE = 1996;
export const DEFAULT_REKEY_THRESHOLD = 0xc000_0000n;
export const DEFAULT_REKEY_THRESHOLD_XPN = 0xc000_0000_0000_0000n;

export function defaultControls(suite: CipherSuite): SecYControls {
  return {
    protectFrames: true,
    validateFrames: 'Strict',
    replayProtect: true,
    replayWindow: 0,
    confidentialityProtect: true,
    confidentialityOffset: 0,
    alwaysIncludeSCI: false,
    useES: false,
    useSCB: false,
    maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
    clearTags: 0,
    rekeyThreshold: suite.xpn ? DEFAULT_REKEY_THRESHOLD_XPN : DEFAULT_REKEY_THRESHOLD,
    receiveCapacity: Infinity,
  };
}

function bool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, 'true or false', describe(v));
  return v;
}

/** `base` with `changes` applied, every field checked. */
export function applyControls(base: SecYControls, changes: Partial<SecYControls>, suite: CipherSuite): SecYControls {
  const c = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    switch (key as keyof SecYControls) {
      case 'protectFrames':
      case 'replayProtect':
      case 'confidentialityProtect':
      case 'alwaysIncludeSCI':
      case 'useES':
      case 'useSCB':
        (c as Record<string, unknown>)[key] = bool(key, value);
        break;
      case 'validateFrames':
        if (!VALIDATE_FRAMES.includes(value as ValidateFrames)) throw new ConfigError(key, "'Disabled', 'Check' or 'Strict'", describe(value));
        c.validateFrames = value as ValidateFrames;
        break;
      case 'replayWindow':
        c.replayWindow = checkReplayWindow(value, suite.xpn);
        break;
      case 'confidentialityOffset':
        if (!CONFIDENTIALITY_OFFSETS.includes(value as ConfidentialityOffset)) throw new ConfigError(key, '0, 30 or 50', describe(value));
        c.confidentialityOffset = value as ConfidentialityOffset;
        break;
      case 'maxFrameSize':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 60) throw new ConfigError(key, 'an integer of at least 60 (octets, FCS excluded)', describe(value));
        c.maxFrameSize = value;
        break;
      case 'clearTags':
        if (value !== 0 && value !== 1 && value !== 2) throw new ConfigError(key, '0, 1 or 2', describe(value));
        c.clearTags = value;
        break;
      case 'rekeyThreshold':
        if (typeof value !== 'bigint' || value < 1n || value > suite.maxPN) throw new ConfigError(key, `a bigint from 1 to ${suite.maxPN} for ${suite.name}`, describe(value));
        c.rekeyThreshold = value;
        break;
      case 'receiveCapacity':
        if (typeof value !== 'number' || !(Number.isInteger(value) || value === Infinity) || value < 0) {
          throw new ConfigError(key, 'a whole number of frames, or Infinity', describe(value));
        }
        c.receiveCapacity = value;
        break;
      default:
        throw new ConfigError(key, 'a SecY control', 'an unknown name');
    }
  }
  return c;
}

export function resolveSuite(s: CipherSuiteName | CipherSuite | undefined): CipherSuite {
  if (s === undefined) return CIPHER_SUITES['GCM-AES-128'];
  if (typeof s === 'string') {
    const found = cipherSuite(s);
    if (!found) throw new ConfigError('cipherSuite', Object.keys(CIPHER_SUITES).join(', '), describe(s));
    return found;
  }
  const known = Object.values(CIPHER_SUITES).find((x) => x.name === s.name);
  if (!known) throw new ConfigError('cipherSuite', Object.keys(CIPHER_SUITES).join(', '), describe(s.name));
  return known;
}

export function resolveBackend(b: unknown): BackendName {
  return b === undefined ? DEFAULT_BACKEND : checkBackendName(b);
}

/** An SCI from 8 octets or hex; always a private copy. */
export function toSci(sci: unknown, field = 'sci'): Uint8Array {
  if (sci instanceof Uint8Array) {
    if (sci.length !== SCI_LENGTH) throw new ConfigError(field, `${SCI_LENGTH} octets`, describe(sci));
    return sci.slice();
  }
  if (typeof sci === 'string') {
    try {
      return parseSci(sci, field);
    } catch {
      throw new ConfigError(field, `${SCI_LENGTH} octets in hex`, describe(sci));
    }
  }
  throw new ConfigError(field, `${SCI_LENGTH} octets or a hex string`, describe(sci));
}
