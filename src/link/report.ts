/** A simulation's result as a person reads it: per direction, per actor, keys, the PN arithmetic, lessons. */
import { formatDuration } from './clock.js';
import type { DirectionStats, SimulationResult } from './simulate.js';

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
    `  delivered ${d.deliveredUnique} of ${d.offered} (${d.lost} lost)${d.deliveredAgain ? `, ${d.deliveredAgain} delivered twice` : ''}${d.outOfOrder ? `, ${d.outOfOrder} out of order` : ''}`,
  ];
  if (d.latency) {
    lines.push(`  latency: min ${formatDuration(d.latency.minPs)}, mean ${formatDuration(d.latency.meanPs)}, p99 ${formatDuration(d.latency.p99Ps)}, max ${formatDuration(d.latency.maxPs)}`);
  }
  lines.push(
    `  goodput ${rate(d.goodputBps)} = ${pct(d.goodputShare)} of the ${rate(lineRate)} line; MACsec's overhead leaves at most ${pct(d.macsecEfficiency)} of the wire for this traffic`,
  );
  return lines;
}

export function renderResult(r: SimulationResult): string {
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
