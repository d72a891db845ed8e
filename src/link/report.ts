/** A simulation's result as a person reads it: per direction, per actor, keys, the PN arithmetic, lessons. */
import type { SecYCounters } from '../secy/counters.js';
import type { Side } from './actors.js';
import { formatDuration } from './clock.js';
import type { DirectionStats, MkaSideSummary, MkaSummary, SimulationSummary } from './simulate.js';

/** What the report reads of a run: everything but its captures. */
type RunSummary = Omit<SimulationSummary, 'captures'>;

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const rate = (bps: number): string => (bps >= 1e9 ? `${(bps / 1e9).toFixed(2)} Gbit/s` : `${(bps / 1e6).toFixed(1)} Mbit/s`);
const counts = (m: Record<string, number>): string =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function span(seconds: number): string {
  const day = 24 * 3600;
  const year = 365.25 * day;
  if (seconds >= year) return `${(seconds / year).toLocaleString('en-US', { maximumFractionDigits: 0 })} years`;
  if (seconds >= day) return `${(seconds / day).toFixed(1)} days`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} hours`;
  return formatDuration(seconds * 1e12);
}

function direction(name: string, d: DirectionStats, lineRate: number): string[] {
  if (d.offered === 0 && d.arrived === 0) return [];
  const lines = [
    `${name}`,
    `  offered ${d.offered}, sent ${d.sent}${Object.keys(d.refused).length ? `, refused: ${counts(d.refused)}` : ''}, arrived ${d.arrived}`,
    `  receiver counters: ${counts(d.outcomes)}`,
    `  delivered ${d.deliveredUnique} of ${d.offered} (${d.lost} lost${d.inFlight ? `, ${d.inFlight} still in flight when the run ended` : ''})${d.deliveredAgain ? `, ${d.deliveredAgain} delivered twice` : ''}${d.outOfOrder ? `, ${d.outOfOrder} out of order` : ''}`,
  ];
  if (d.latency) {
    lines.push(`  latency: min ${formatDuration(d.latency.minPs)}, mean ${formatDuration(d.latency.meanPs)}, p99 ${formatDuration(d.latency.p99Ps)}, max ${formatDuration(d.latency.maxPs)}`);
  }
  lines.push(
    `  goodput ${rate(d.goodputBps)} = ${pct(d.goodputShare)} of the ${rate(lineRate)} line; the most MACsec's overhead allows for this traffic is ${pct(d.macsecEfficiency)}` +
      ` (the rest of the wire: preamble, SFD and gap ${pct(d.preambleShare)}, SecTAG and ICV ${pct(d.macsecShare)})`,
  );
  return lines;
}

/** Events shown in the report; the rest are summarised (the JSON output has them all). */
const MKA_EVENT_LINES = 40;

const short = (mi: string): string => `${mi.slice(0, 8)}…`;

function mkaSide(name: string, m: MkaSideSummary): string[] {
  const k = m.kay;
  const c = k.counters;
  const role = k.keyServer === undefined ? 'no key server (no Live Peer)' : k.keyServer.self ? 'key server' : `key server is SCI ${k.keyServer.sci}`;
  const live = k.livePeers.length === 0 ? 'none' : k.livePeers.map((p) => `SCI ${p.sci} (MI ${short(p.mi)}, MN ${p.mn})`).join(', ');
  const key = k.transmitKey;
  const y = m.secy;
  const lines = [
    `  ${name}: SCI ${k.sci}, MI ${short(k.mi)}, priority ${k.keyServerPriority}: ${role}${m.silencedAtPs !== undefined ? `; silent from ${formatDuration(m.silencedAtPs)}` : ''}`,
    `     Live Peers: ${live}${k.potentialPeers.length ? `; Potential Peers: ${k.potentialPeers.map((p) => `SCI ${p.sci}`).join(', ')}` : ''}`,
    `     SAK in use: ${key ? `KN ${key.kn} under AN ${key.an} (key server MI ${short(key.keyServerMi)})` : 'none'}${m.securedAtPs !== undefined ? `; first protected frame at ${formatDuration(m.securedAtPs)}` : ''}`,
    `     SecY: encoding AN ${y.encodingAN}, transmit SAs [${y.transmitANs.join(', ')}], receive SAs [${y.receiveSAs.map((s) => `${s.sci}/AN ${s.an}`).join(', ')}], protectFrames ${y.protectFrames}, validateFrames ${y.validateFrames}`,
    `     MKPDUs sent ${c.mkpdusSent}, accepted ${c.mkpdusReceived}, rejected: ${counts(c.mkpdusRejected)}; SAKs distributed ${c.saksDistributed}, installed ${c.saksInstalled}${Object.keys(c.saksRejected).length ? `, refused: ${counts(c.saksRejected)}` : ''}`,
    `     its MKPDUs at the peer: Controlled Port ${counts(m.controlledPort)}; KaY ${counts(m.atPeerKay)}`,
  ];
  return lines;
}

function mkaPart(m: MkaSummary): string[] {
  const out = ['', `key agreement (MKA, no-peer policy ${m.policy})`, ...mkaSide('a', m.sides.a), ...mkaSide('b', m.sides.b)];
  if (m.distributed.length > 0) {
    out.push(`  SAKs distributed: ${m.distributed.map((d) => `KN ${d.kn}/AN ${d.an} by ${d.side} at ${formatDuration(d.atPs)}`).join(', ')}`);
  }
  out.push('  what happened:');
  for (const e of m.events.slice(0, MKA_EVENT_LINES)) out.push(`    ${formatDuration(e.atPs).padStart(12)}  ${e.side}: ${e.text}`);
  if (m.events.length > MKA_EVENT_LINES) out.push(`    ... ${m.events.length - MKA_EVENT_LINES} more (--json has them all)`);
  return out;
}

/** The counters that move, sampled over the run: one row per sample, one column per counter that changed. */
function timeline(r: RunSummary): string[] {
  const first = r.timeline[0]!;
  const last = r.timeline[r.timeline.length - 1]!;
  const columns: { side: Side; name: keyof SecYCounters }[] = [];
  for (const side of ['b', 'a'] as const) {
    for (const name of Object.keys(last[side]) as (keyof SecYCounters)[]) {
      if (name.startsWith('In') && name.includes('Pkts') && last[side][name] !== first[side][name]) columns.push({ side, name });
    }
  }
  if (columns.length === 0) return [];
  const heads = columns.map((c) => `${c.side}:${c.name}`);
  const rows = r.timeline.map((p) => [formatDuration(p.atPs), ...columns.map((c) => String(p[c.side][c.name]))]);
  const widths = [Math.max(4, ...rows.map((row) => row[0]!.length)), ...heads.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i + 1]!.length)))];
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(widths[i]!)).join('  ')}`;
  return ['timeline (receive counters of the port named: b counts frames from a)', line(['time', ...heads]), ...rows.map(line)];
}

export function renderResult(r: RunSummary): string {
  const out: string[] = [];
  out.push(`scenario ${r.scenario}, seed ${r.seed}: ${formatDuration(r.elapsedPs)} simulated${r.stoppedEarly ? ' (stopped early: summary so far)' : ''}`);
  out.push(`link ${rate(r.lineRateBps)}, propagation ${formatDuration(r.propagationPs)}`);
  out.push('');
  out.push(...direction('a -> b', r.directions['a->b'], r.lineRateBps));
  out.push(...direction('b -> a', r.directions['b->a'], r.lineRateBps));
  if (r.actors.length > 0) {
    out.push('', 'on the wire');
    for (const a of r.actors) {
      out.push(`  ${a.name} (frames from ${a.side}): touched ${a.touched}; became: ${counts(a.fate)}`);
      for (const e of a.examples) out.push(`    ${e}`);
    }
  }
  if (r.mka !== undefined) out.push(...mkaPart(r.mka));
  if (r.timeline.length > 2) out.push('', ...timeline(r));
  if (r.rekeys.length > 0) {
    out.push('', 'keys');
    for (const k of r.rekeys) out.push(`  ${formatDuration(k.atPs)}: ${k.side} rolled over AN ${k.fromAN} -> ${k.toAN} (${k.reason})`);
  }
  const b = r.pnBudget;
  out.push(
    '',
    `packet numbers at line rate with ${b.frameOctets}-octet frames (${(b.framesPerSecond / 1e6).toFixed(2)} Mframes/s): ` +
      `2^32 last ${span(b.plainSeconds)}, 2^64 (XPN) last ${span(b.xpnSeconds)}`,
  );
  if (r.lessons.length > 0) out.push('', ...r.lessons.map((l) => `* ${l}`));
  return out.join('\n');
}
