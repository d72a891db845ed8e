/** Keys from an SA file, resolved for one received frame the way a receiver would (10.6.1). */
import { SaContext, type SaKey } from '../crypto/sa.js';
import type { BackendName } from '../crypto/backend.js';
import type { KeyResolver } from '../explain/explain.js';
import { formatSci, implicitSci, sciEquals } from '../wire/sci.js';
import { pnBig, pnHi, pnLo, recoverPNHigh } from '../secy/replay.js';
import type { SaFile } from './sa-file.js';

/** A resolver over every receive channel of the file, with SA contexts made once. */
export function keyResolver(file: SaFile, backend: BackendName): KeyResolver {
  const channels = file.channels
    .filter((c) => c.direction !== 'transmit')
    .map((c) => ({
      sci: c.sci,
      sas: c.sas.map((s) => {
        const key: SaKey = { suite: file.suite, key: s.key, ssci: s.ssci, salt: s.salt };
        return { spec: s, key, sa: new SaContext(key, backend) };
      }),
    }));
  return (frame, layout) => {
    const tag = layout.secTag;
    const sci = tag.sci ?? implicitSci(frame, tag.tci) ?? (channels.length === 1 ? channels[0]!.sci : undefined);
    if (sci === undefined) return { missing: 'no SCI in the SecTAG and the SA file has several receive channels' };
    const channel = channels.find((c) => sciEquals(c.sci, sci));
    if (channel === undefined) return { missing: `no receive channel for SCI ${formatSci(sci)} in the SA file (InPktsUnknownSCI / InPktsNoSCI)` };
    const entry = channel.sas.find((s) => s.spec.an === tag.an);
    if (entry === undefined) return { missing: `no SA for AN ${tag.an} on SCI ${formatSci(sci)} (InPktsNotUsingSA / InPktsUnusedSA)` };
    // XPN: the full PN as a receiver whose lowestPN is the SA file's `pn` recovers it (10.6.2).
    const lowest = { nextHi: 0, nextLo: 0, lowestHi: pnHi(entry.spec.pn), lowestLo: pnLo(entry.spec.pn) };
    const pn = pnBig(recoverPNHigh(file.suite.xpn, lowest, tag.pn), tag.pn);
    return { sa: entry.sa, key: entry.key, sci, pn, confidentialityOffset: file.confidentialityOffset, description: `receive SC ${formatSci(sci)}, AN ${tag.an}` };
  };
}
