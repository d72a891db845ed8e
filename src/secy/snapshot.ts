/**
 * Snapshots of a SecY's transmit state, so that a SecY restarted under the same SAK never sends a PN twice
 * (802.1AE 10.5.2: a PN is used once per SA; reusing one under the same key reuses a GCM nonce, which gives
 * away the XOR of two plaintexts and the GHASH key, so the ICV can then be forged).
 *
 * "Save ahead with headroom", as implementations that persist sequence numbers do: a snapshot records for
 * each transmit SA not its nextPN but a resume point nextPN + headroom (default 2^16). Once the caller has
 * stored a snapshot durably and said so (`SecY.persisted`), the SecY sends PNs only below that resume point:
 * it raises `persistNeeded` when half the headroom is used, and refuses frames (SimOutPktsPNExhausted, with
 * the reason) at the mark until a newer snapshot is persisted. Whatever moment the process dies, the last
 * stored snapshot's resume point is above every PN sent: a restore can skip PNs, never repeat one.
 *
 * No key material: a snapshot names each SAK by `keyId`, a one-way digest (SHA-256 over a label, the cipher
 * suite, the SAK and, with XPN, the SSCI and salt, cut to 128 bits). The SAK belongs to the KaY (802.1X
 * distributes it wrapped under the KEK); after a restart the KaY installs it again (or, as MKA normally
 * does after a restart, distributes a new one, which starts a fresh PN space), so the snapshot may sit on
 * disk without protection. `restore` matches SAs by keyId, not by AN, so a SAK installed again under
 * another AN still resumes above its old PNs; a keyId restored before its SA is installed applies when it is.
 *
 * Not in a snapshot: whether rekeyNeeded was raised. A restored SA past its threshold raises it again with
 * its next frame: a repeated request to the KaY is harmless, a request lost in the crash is not.
 *
 * PNs are decimal strings, so a snapshot is plain JSON (`JSON.stringify` it as it is).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { CipherSuite, CipherSuiteName } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import { Fields, isObject } from '../util/json.js';
import { TRANSMIT_SC_COUNTERS, type TransmitSCCounters } from './counters.js';

export const SNAPSHOT_FORMAT = 'macsec-sim transmit snapshot';
export const SNAPSHOT_VERSION = 1;
/** PNs a snapshot saves ahead of nextPN by default: 2^16. */
export const DEFAULT_PN_HEADROOM = 1n << 16n;

export interface TransmitSASnapshot {
  readonly an: number;
  /** The SAK's identifier (see above): 32 hex digits, never the key. */
  readonly keyId: string;
  /** nextPN when the snapshot was taken, for the record. */
  readonly nextPN: string;
  /** Where a restored SA resumes: nextPN + headroom (at most maxPN + 1), never below an earlier resume point. */
  readonly resumePN: string;
  readonly enableTransmit: boolean;
  /** The SA's transmit counters (frames sent after the snapshot and before an unclean stop are lost). */
  readonly counters: TransmitSCCounters;
}

export interface TransmitSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  /** The transmit SC's SCI, 16 hex digits. */
  readonly sci: string;
  readonly cipherSuite: CipherSuiteName;
  readonly encodingSA: number;
  /** The headroom the resume points were computed with, decimal. */
  readonly headroom: string;
  /** Counts up with every snapshot of this SecY (and its restored successors): persist them in this order. */
  readonly sequence: number;
  /** A final snapshot (clean stop): resume points are nextPN exactly, and the SecY sent nothing after it. */
  readonly final: boolean;
  readonly sas: readonly TransmitSASnapshot[];
  /** Counts of transmit SAs deleted before the snapshot. */
  readonly absorbed: TransmitSCCounters;
}

export interface SnapshotOptions {
  /** PNs saved ahead (default the SecY's `pnHeadroom`, itself 2^16 unless set). */
  readonly headroom?: bigint;
  /**
   * A clean stop: resume points are nextPN exactly (no PN skipped) and the transmit SAs stop sending
   * until a newer snapshot is persisted, so nothing can be sent that the snapshot does not cover.
   */
  readonly final?: boolean;
}

/** What `restore` did. */
export interface RestoreResult {
  /** ANs of installed transmit SAs whose nextPN was raised to (or already past) their resume point. */
  readonly resumed: readonly number[];
  /** keyIds of the snapshot with no SA installed yet: they apply when the KaY installs that SAK. */
  readonly pending: readonly string[];
}

/** The SAK's identifier in snapshots: one-way, 128 bits, bound to the suite (and SSCI and salt with XPN). */
export function keyIdOf(suite: CipherSuite, sak: Uint8Array, ssci: Uint8Array | undefined, salt: Uint8Array | undefined): string {
  const h = sha256.create();
  h.update(utf8ToBytes(`macsec-sim SAK id\0${suite.name}\0`));
  h.update(sak);
  if (ssci) h.update(ssci);
  if (salt) h.update(salt);
  return bytesToHex(h.digest()).slice(0, 32);
}

export function checkHeadroom(value: unknown, field = 'headroom'): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > 1n << 62n) throw new ConfigError(field, 'a bigint from 0 to 2^62 (PNs saved ahead)', describe(value));
  return value;
}

function counters(f: Fields, field: string): TransmitSCCounters {
  const raw = f.raw(field);
  if (!isObject(raw)) return f.fail(field, 'an object of transmit counters', raw);
  const c = new Fields(raw, field);
  const out = {} as TransmitSCCounters;
  for (const n of TRANSMIT_SC_COUNTERS) out[n] = c.integer(n, 0, Number.MAX_SAFE_INTEGER, 0);
  return out;
}

/**
 * Checks a snapshot (as read back from storage) for a SecY of `suite`: every field named in a ConfigError
 * (`snapshot.sas[1].resumePN: expected ...`) when it is missing or out of range.
 */
export function decodeTransmitSnapshot(doc: unknown, suite: CipherSuite, where = 'snapshot'): TransmitSnapshot {
  if (!isObject(doc)) throw new ConfigError(where, 'a transmit snapshot object (SecY.snapshot())', Array.isArray(doc) ? 'an array' : describe(doc));
  const f = new Fields(doc, where);
  if (f.raw('format') !== SNAPSHOT_FORMAT) f.fail('format', JSON.stringify(SNAPSHOT_FORMAT), f.raw('format'));
  if (f.raw('version') !== SNAPSHOT_VERSION) f.fail('version', String(SNAPSHOT_VERSION), f.raw('version'));
  const name = f.string('cipherSuite');
  if (name !== suite.name) f.fail('cipherSuite', `${suite.name} (this SecY's cipher suite)`, name);
  const sci = f.string('sci');
  if (!/^[0-9a-f]{16}$/.test(sci)) f.fail('sci', '16 lower-case hex digits', sci);
  const max = suite.maxPN + 1n;
  const sas = f.array('sas').map((s) => {
    const keyId = s.string('keyId');
    if (!/^[0-9a-f]{32}$/.test(keyId)) s.fail('keyId', '32 lower-case hex digits', keyId);
    const nextPN = s.bigint('nextPN', 1n, max);
    const resumePN = s.bigint('resumePN', 1n, max);
    if (resumePN < nextPN) s.fail('resumePN', `at least nextPN ${nextPN}`, resumePN.toString());
    return {
      an: s.integer('an', 0, 3),
      keyId,
      nextPN: nextPN.toString(),
      resumePN: resumePN.toString(),
      enableTransmit: s.boolean('enableTransmit'),
      counters: counters(s, 'counters'),
    };
  });
  const ans = new Set(sas.map((s) => s.an));
  if (ans.size !== sas.length) f.fail('sas', 'one SA per AN', sas.map((s) => s.an));
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    sci,
    cipherSuite: suite.name,
    encodingSA: f.integer('encodingSA', 0, 3),
    headroom: checkHeadroom(f.bigint('headroom', 0n, 1n << 62n), `${where}.headroom`).toString(),
    sequence: f.integer('sequence', 0, Number.MAX_SAFE_INTEGER),
    final: f.boolean('final'),
    sas,
    absorbed: counters(f, 'absorbed'),
  };
}
