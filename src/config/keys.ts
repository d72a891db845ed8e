/** Keys from an SA file, resolved for one received frame the way a receiver would (10.6.1). */
import { SaContext } from '../crypto/sa.js';
import type { BackendName } from '../crypto/backend.js';
import type { KeyResolver } from '../explain/explain.js';
import { formatSci, implicitSci, sciEquals } from '../wire/sci.js';
import type { SaFile } from './sa-file.js';

/**
 * XPN: the full PN from its low 32 bits, as the one nearest above `lowestPN` (802.1AEbw 10.6.2).
 */
export function recoverPN(lowestPN: bigint, pnLow: number): bigint {
  const low = BigInt(pnLow);
  const candidate = (lowestPN & ~0xffff_ffffn) | low;
  return candidate < lowestPN ? candidate + 0x1_0000_0000n : candidate;
}

/** A resolver over every receive channel of the file, with SA contexts made once. */
export function keyResolver(file: SaFile, backend: BackendName): KeyResolver {
  const channels = file.channels
    .filter((c) => c.direction !== 'transmit')
    .map((c) => ({
      sci: c.sci,
      sas: c.sas.map((s) => ({ spec: s, sa: new SaContext({ suite: file.suite, key: s.key, ssci: s.ssci, salt: s.salt }, backend) })),
    }));
  return (frame, layout) => {
    const tag = layout.secTag;
    const sci = tag.sci ?? implicitSci(frame, tag.tci) ?? (channels.length === 1 ? channels[0]!.sci : undefined);
    if (sci === undefined) return { missing: 'no SCI in the SecTAG and the SA file has several receive channels' };
    const channel = channels.find((c) => sciEquals(c.sci, sci));
    if (channel === undefined) return { missing: `no receive channel for SCI ${formatSci(sci)} in the SA file (InPktsUnknownSCI / InPktsNoSCI)` };
    const entry = channel.sas.find((s) => s.spec.an === tag.an);
    if (entry === undefined) return { missing: `no SA for AN ${tag.an} on SCI ${formatSci(sci)} (InPktsNotUsingSA / InPktsUnusedSA)` };
    const pn = file.suite.xpn ? recoverPN(entry.spec.pn, tag.pn) : BigInt(tag.pn);
    return { sa: entry.sa, sci, pn, confidentialityOffset: file.confidentialityOffset, description: `receive SC ${formatSci(sci)}, AN ${tag.an}` };
  };
}
