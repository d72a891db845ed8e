/**
 * Persistence of transmit state (snapshot.ts has the why and the format): taking snapshots, being told
 * one is stored, restoring one, and the marks that stop a transmit SA where no stored snapshot covers it.
 */
import { ConfigError, describe } from '../util/errors.js';
import { TRANSMIT_SC_COUNTERS, addCounters } from './counters.js';
import { pnBig, pnHi, pnLo } from './replay.js';
import type { TransmitSA } from './sa.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, checkHeadroom, decodeTransmitSnapshot, type RestoreResult, type SnapshotOptions, type TransmitSnapshot } from './snapshot.js';
import { dispatchEvents, emit, type SecYState } from './state.js';

/**
 * The transmit state to store so that a SecY restarted under the same SAKs never reuses a PN: per transmit
 * SA its keyId (never the key), nextPN and resume point nextPN + headroom. Taking a snapshot changes
 * nothing but the sequence (and, with `final`, stops the SAs); store it, then call `persisted(snapshot)`.
 */
export function snapshot(s: SecYState, options: SnapshotOptions = {}): TransmitSnapshot {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object ({ headroom, final })', describe(options));
  const final = options.final ?? false;
  if (typeof final !== 'boolean') throw new ConfigError('final', 'true or false', describe(final));
  const headroom = final ? 0n : options.headroom === undefined ? s.pnHeadroom : checkHeadroom(options.headroom);
  const end = s.cipherSuite.maxPN + 1n;
  const sas = [];
  for (const sa of s.tx.sas) {
    if (!sa) continue;
    const next = sa.nextPN;
    let resume = next + headroom > end ? end : next + headroom;
    if (final) {
      // A clean stop: the SA sends nothing more until a newer snapshot is persisted, so nextPN is enough.
      s.persistArmed = true;
      setLimit(sa, next, next);
    } else if (sa.issuedResume > resume) {
      // Never below a resume point given before: once that snapshot is persisted, PNs up to it may be sent,
      // and this one, persisted after it, must still cover them (a smaller headroom must not undo that).
      resume = sa.issuedResume;
    }
    sa.issuedResume = resume;
    sas.push({ an: sa.an, keyId: sa.keyId, nextPN: next.toString(), resumePN: resume.toString(), enableTransmit: sa.enableTransmit, counters: { ...sa.counters } });
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    sci: s.txSciHex,
    cipherSuite: s.cipherSuite.name,
    encodingSA: s.tx.encodingSA,
    headroom: headroom.toString(),
    sequence: ++s.snapshotSequence,
    final,
    sas,
    absorbed: { ...s.tx.absorbed },
  };
}

/**
 * Says `snapshot` is stored durably: from now on each of its SAs may send PNs up to (not including) its
 * resume point, and no further until a newer snapshot is persisted (persistence is armed for good: SAs
 * installed later send nothing until a snapshot covering them is persisted). Snapshots must be persisted
 * in the order taken: an older one than the last persisted is refused, since storing it would put the
 * resume points on disk back.
 */
export function persisted(s: SecYState, stored: TransmitSnapshot): void {
  const snap = decodeTransmitSnapshot(stored, s.cipherSuite);
  if (snap.sci !== s.txSciHex) throw new ConfigError('snapshot.sci', `${s.txSciHex} (this SecY's SCI)`, snap.sci);
  if (snap.sequence <= s.persistedSequence) {
    throw new ConfigError('snapshot.sequence', `above ${s.persistedSequence} (persist snapshots in the order taken)`, String(snap.sequence));
  }
  s.persistedSequence = snap.sequence;
  s.persistArmed = true;
  const headroom = BigInt(snap.headroom);
  for (const saSnap of snap.sas) {
    const sa = s.tx.sas[saSnap.an];
    if (!sa || sa.keyId !== saSnap.keyId) continue; // deleted (or replaced) since the snapshot was taken
    const resume = BigInt(saSnap.resumePN);
    if (sa.limitHi !== Infinity && pnBig(sa.limitHi, sa.limitLo) >= resume) continue;
    // persistNeeded again when half the headroom is used (at the mark itself for a headroom of 0 or 1).
    setLimit(sa, resume, resume - headroom / 2n);
  }
  armAll(s);
  dispatchEvents(s);
}

/**
 * Restores transmit state from a stored snapshot (after a clean stop or a crash): each snapshot SA's
 * resume point becomes the floor of nextPN for its SAK, now for SAs installed with it and later for those
 * the KaY installs after this call (matched by keyId, whatever the AN). Also restores encodingSA, the
 * enableTransmit of matched SAs and the counters. Persistence is then armed: the resumed SAs send
 * nothing until a newer snapshot is persisted (persistNeeded is raised, and dispatched, at once), since
 * another crash would otherwise restore the same resume point under PNs already sent.
 */
export function restore(s: SecYState, stored: unknown): RestoreResult {
  const snap = decodeTransmitSnapshot(stored, s.cipherSuite);
  if (snap.sci !== s.txSciHex) throw new ConfigError('snapshot.sci', `${s.txSciHex} (this SecY's SCI)`, snap.sci);
  // Counters are added, so a snapshot is restored once, into a SecY that has not taken a later one.
  if (snap.sequence <= s.snapshotSequence) {
    throw new ConfigError('snapshot.sequence', `above ${s.snapshotSequence} (a snapshot not yet restored into or taken by this SecY)`, String(snap.sequence));
  }
  const resumed: number[] = [];
  const pending: string[] = [];
  for (const saSnap of snap.sas) {
    const resume = BigInt(saSnap.resumePN);
    const floor = s.pnFloors.get(saSnap.keyId);
    if (floor === undefined || floor < resume) s.pnFloors.set(saSnap.keyId, resume);
    const sa = s.tx.sas.find((x) => x?.keyId === saSnap.keyId);
    if (!sa) {
      pending.push(saSnap.keyId);
      continue;
    }
    if (sa.nextPN < resume) {
      sa.nextHi = pnHi(resume);
      sa.nextLo = pnLo(resume);
    }
    if (sa.an === saSnap.an) {
      sa.enableTransmit = saSnap.enableTransmit;
      addCounters(sa.counters, saSnap.counters, TRANSMIT_SC_COUNTERS);
    } else {
      addCounters(s.tx.absorbed, saSnap.counters, TRANSMIT_SC_COUNTERS);
    }
    if (sa.issuedResume < resume) sa.issuedResume = resume;
    setLimit(sa, sa.nextPN, sa.nextPN);
    emitPersist(s, sa);
    resumed.push(sa.an);
  }
  addCounters(s.tx.absorbed, snap.absorbed, TRANSMIT_SC_COUNTERS);
  s.tx.encodingSA = snap.encodingSA;
  s.persistArmed = true;
  armAll(s);
  s.snapshotSequence = snap.sequence;
  if (snap.sequence > s.persistedSequence) s.persistedSequence = snap.sequence;
  dispatchEvents(s);
  return { resumed, pending };
}

/** A transmit SA just installed: the floor a restored snapshot set for its SAK, and with persistence armed, no PN until a snapshot covers it. */
export function installPersisted(s: SecYState, sa: TransmitSA): void {
  const floor = s.pnFloors.get(sa.keyId);
  // A SAK a restored snapshot knows resumes above every PN it may have sent before (snapshot.ts).
  if (floor !== undefined && floor > sa.nextPN) {
    sa.nextHi = pnHi(floor);
    sa.nextLo = pnLo(floor);
  }
  if (s.persistArmed) {
    // No stored snapshot covers this SA yet: it sends nothing until one does.
    setLimit(sa, sa.nextPN, sa.nextPN);
    emitPersist(s, sa);
  }
}

/** Persistence armed: a transmit SA no stored snapshot covers stops at its nextPN until one does. */
function armAll(s: SecYState): void {
  for (const sa of s.tx.sas) {
    if (sa && sa.limitHi === Infinity) {
      setLimit(sa, sa.nextPN, sa.nextPN);
      emitPersist(s, sa);
    }
  }
}

function setLimit(sa: TransmitSA, limit: bigint, warnAt: bigint): void {
  sa.limitHi = pnHi(limit);
  sa.limitLo = pnLo(limit);
  sa.warnHi = pnHi(warnAt);
  sa.warnLo = pnLo(warnAt);
}

/** Raises persistNeeded once per mark: later frames do not raise it again until the mark moves. */
export function emitPersist(s: SecYState, sa: TransmitSA): void {
  sa.warnHi = Infinity;
  emit(s, 'persistNeeded', { sci: s.txSciHex, an: sa.an, nextPN: sa.nextPN, persistedPN: pnBig(sa.limitHi, sa.limitLo) });
}
