/** A benchmark report as a text table and as an SVG chart. */
import { isSecYMethod, type BenchMethod, type BenchMode, type BenchSize } from './cases.js';
import { lineRateFps } from './line-rate.js';
import type { BenchReport, BenchResult } from './runner.js';

const METHOD_LABEL: Record<BenchMethod, string> = {
  'node-gcm': 'createCipheriv per frame (b)',
  'noble-gcm': 'noble gcm() per frame (a)',
  ceiling: 'ceiling: node:crypto 16 KiB (c)',
  burst: 'burst',
  frame: 'single frame',
  'validate-burst': 'validateBurst',
  'secy-transmit-burst': 'SecY.transmitBurst',
  'secy-transmit': 'SecY.transmit per frame',
  'secy-receive-burst': 'SecY.receiveBurst',
  'secy-receive': 'SecY.receive per frame',
  'secy-transmit-packed': 'SecY.transmitPacked',
  'secy-receive-packed': 'SecY.receivePacked',
  'packed-transmit': 'protectPacked',
  'packed-receive': 'validatePacked',
  'bare-seal': 'bare engine call per frame (d)',
};

/** Bursts, for the line-rate table and the chart: what a caller gets, frame after frame. */
const isBurst = (m: BenchMethod): boolean =>
  m === 'burst' || m === 'validate-burst' || m === 'secy-transmit-burst' || m === 'secy-receive-burst' || m === 'packed-transmit' || m === 'packed-receive' || m === 'secy-transmit-packed' || m === 'secy-receive-packed' || m === 'bare-seal';

export function seriesLabel(r: Pick<BenchResult, 'method' | 'backend' | 'threads'>): string {
  if (r.backend === undefined) return METHOD_LABEL[r.method];
  return `${r.backend} ${METHOD_LABEL[r.method]}${r.threads > 1 ? `, ${r.threads} threads` : ''}`;
}

const sizeLabel = (s: BenchSize): string => (s === 'imix' ? 'IMIX' : `${s}`);

function fmtFps(fps: number): string {
  if (fps >= 1e9) return `${(fps / 1e9).toFixed(1)}G`;
  if (fps >= 1e6) return `${(fps / 1e6).toFixed(fps >= 1e7 ? 1 : 2)}M`;
  return `${(fps / 1e3).toFixed(fps >= 1e4 ? 0 : 1)}k`;
}

const fmtRatio = (x: number | undefined): string => (x === undefined ? '' : `×${x >= 10 ? x.toFixed(1) : x.toFixed(2)}`);

/** Groups results by (suite, mode), keeping the report's order. */
function panels(report: BenchReport): { suite: string; mode: BenchMode; results: BenchResult[] }[] {
  const out: { suite: string; mode: BenchMode; results: BenchResult[] }[] = [];
  for (const r of report.results) {
    let p = out.find((x) => x.suite === r.suite && x.mode === r.mode);
    if (p === undefined) out.push((p = { suite: r.suite, mode: r.mode, results: [] }));
    p.results.push(r);
  }
  return out;
}

/** Distinct series of a panel, in order of first appearance. */
function series(results: readonly BenchResult[]): BenchResult[][] {
  const out = new Map<string, BenchResult[]>();
  for (const r of results) {
    const key = seriesLabel(r);
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return [...out.values()];
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

const fmtCost = (x: number | undefined): string => (x === undefined ? '' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(Math.abs(x) >= 1 ? 0 : 1)} %`);

/**
 * Markdown tables: per suite and mode, frames/s (Gbit/s) and the ratio to createCipheriv (b), or to
 * noble gcm() (a) for the noble backend, or to one thread for threaded rows; then each burst's share of
 * 1/10/25/100 GbE line rate; then what the SecY costs over the bare burst cipher; then the targets.
 */
export function renderTable(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [
    `Machine: ${m.cpuModel}, ${m.cpus} CPUs (${m.availableParallelism} usable), Node ${m.node}, OpenSSL ${m.openssl}, load ${m.loadAverage1m.toFixed(2)}`,
    `Backends: ${m.backends.map((b) => (!b.available ? `${b.name} (unavailable: ${b.detail})` : b.name === 'native' && m.nativeEngine !== undefined ? `native (${m.nativeEngine})` : b.name)).join(', ')}`,
    `Rounds: ${report.options.rounds} interleaved, ${report.options.seconds} s per case; bursts of ${report.options.burstFrames} frames (threaded: ${report.options.threadedBurstFrames}, at most ${+(report.options.threadedBurstOctets / 2 ** 20).toFixed(2)} MiB a call); medians${report.cleanHeaps ? '; each measurement from a clean heap' : ''}.`,
    '',
  ];
  for (const p of panels(report)) {
    const sizes = [...new Set(p.results.map((r) => r.size))];
    out.push(`### ${p.suite}, ${p.mode}: frames/s (Gbit/s of frames) and ratio`, '');
    const rows = series(p.results).map((s) => [
      seriesLabel(s[0]!),
      ...sizes.map((size) => {
        const r = s.find((x) => x.size === size);
        if (r === undefined) return '';
        const ratio = r.threads > 1 ? r.vsOneThread : r.backend === 'noble' || r.method === 'noble-gcm' ? r.vsNobleGcm : r.vsNodeGcm;
        const base = r.threads > 1 ? ' 1T' : r.backend === 'noble' || r.method === 'noble-gcm' ? ' a' : ' b';
        return `${fmtFps(r.fps)} (${r.gbps.toFixed(2)}) ${r.method === 'node-gcm' ? '' : `${fmtRatio(ratio)}${base}`}`.trim();
      }),
    ]);
    out.push(table(['method', ...sizes.map((s) => `${sizeLabel(s)} B`)], rows), '');
    out.push(`Line rate (fraction of ${report.linkRatesGbps.join(' / ')} GbE; SecTAG ${report.secTagOctets} + ICV 16 + 20 octets a frame):`, '');
    const lineRows = series(p.results.filter((r) => isBurst(r.method) || r.method === 'ceiling')).map((s) => [
      seriesLabel(s[0]!),
      ...sizes.map((size) => {
        const r = s.find((x) => x.size === size);
        return r === undefined ? '' : Object.values(r.lineRate).map((x) => x.toFixed(x >= 10 ? 0 : 2)).join(' / ');
      }),
    ]);
    out.push(table(['method', ...sizes.map((s) => `${sizeLabel(s)} B`)], lineRows), '');
    const secyRows = series(p.results.filter((r) => isSecYMethod(r.method))).map((s) => [
      seriesLabel(s[0]!),
      ...sizes.map((size) => fmtCost(s.find((x) => x.size === size)?.overBareBurst)),
    ]);
    if (secyRows.length > 0) {
      out.push('SecY bookkeeping: time per frame over the bare burst cipher of its direction (protectBurst, validateBurst; for the packed rows protectPacked, validatePacked), same backend and frames:', '');
      out.push(table(['method', ...sizes.map((s) => `${sizeLabel(s)} B`)], secyRows), '');
    }
    const packedRows = series(p.results.filter((r) => r.vsSecYBurst !== undefined)).map((s) => [
      seriesLabel(s[0]!),
      ...sizes.map((size) => fmtRatio(s.find((x) => x.size === size)?.vsSecYBurst)),
    ]);
    if (packedRows.length > 0) {
      out.push('Packed SecY against SecY.transmitBurst / receiveBurst (frames/s ratio, same backend and frames):', '');
      out.push(table(['method', ...sizes.map((s) => `${sizeLabel(s)} B`)], packedRows), '');
    }
    const dRows = series(p.results.filter((r) => r.vsBareSeal !== undefined && isBurst(r.method))).map((s) => [
      seriesLabel(s[0]!),
      ...sizes.map((size) => fmtRatio(s.find((x) => x.size === size)?.vsBareSeal)),
    ]);
    if (dRows.length > 0) {
      out.push("Against (d), the native engine's bare call per frame over the same packed frames (frames/s ratio, one thread):", '');
      out.push(table(['method', ...sizes.map((s) => `${sizeLabel(s)} B`)], dRows), '');
    }
  }
  if (report.targets.length > 0) {
    out.push('### Targets', '');
    for (const t of report.targets) {
      const mark = t.met === undefined ? '–' : t.met ? '✓' : '✗';
      // Thread scaling depends on what else the machine runs: its load beside the figure.
      const load = t.target.includes(' threads ') ? `, load ${report.machine.loadAverage1m.toFixed(2)} at the start` : '';
      out.push(`${mark} ${t.target}: ${t.value === undefined ? 'not measured' : t.value.toFixed(2)} (goal ${t.comparison === 'at most' ? '≤' : '≥'} ${t.goal}${load})`);
    }
  }
  return out.join('\n');
}

const COLORS: Record<string, string> = { node: '#1f77b4', noble: '#2ca02c', native: '#d62728' };
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The series the chart draws. */
const CHARTED: readonly BenchMethod[] = ['burst', 'frame', 'secy-transmit-burst', 'noble-gcm', 'node-gcm'];

/**
 * Frames/s against frame size, both on log scales, one panel per suite and mode: our bursts per backend
 * (solid; threaded dashed; single frame dotted; SecY.transmitBurst thin dash-dot), the per-frame
 * baselines in grey, the AES-GCM ceiling, and the 1/10/25/100 GbE line rates. IMIX is drawn as diamonds
 * at its mean frame size. The receive rows (validateBurst, SecY.receiveBurst) and the SecY's per-frame
 * rows are left to the table: the chart would be a tangle of lines.
 */
export function renderSvg(report: BenchReport): string {
  const ps = panels(report);
  const W = 560, H = 380, cols = Math.min(2, ps.length || 1);
  const rows = Math.ceil(ps.length / cols) || 1;
  const ml = 62, mr = 70, mt = 28, mb = 44;
  const width = cols * W;
  const legendCols = Math.max(1, Math.floor(width / 320));
  const x0 = 64, x1 = 1518;
  // Decades enclosing every figure and the fastest line rate drawn (100 GbE at 64 octets).
  const values = report.results.map((r) => r.fps).filter((v) => v > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...values, 1e5)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values, lineRateFps(Math.max(...report.linkRatesGbps), x0, report.secTagOctets))));
  const parts: string[] = [];
  const legend = new Map<string, string>();
  ps.forEach((p, idx) => {
    const ox = (idx % cols) * W, oy = Math.floor(idx / cols) * H;
    const px = (f: number): number => ox + ml + ((Math.log(f) - Math.log(x0)) / (Math.log(x1) - Math.log(x0))) * (W - ml - mr);
    const py = (v: number): number => oy + mt + (1 - (Math.log(Math.min(Math.max(v, yMin), yMax)) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin))) * (H - mt - mb);
    parts.push(`<text x="${ox + W / 2}" y="${oy + 16}" text-anchor="middle" font-weight="bold">${esc(`${p.suite}, ${p.mode}`)}</text>`);
    parts.push(`<rect x="${px(x0)}" y="${py(yMax)}" width="${px(x1) - px(x0)}" height="${py(yMin) - py(yMax)}" fill="none" stroke="#999"/>`);
    for (let v = yMin; v <= yMax; v *= 10) {
      parts.push(`<line x1="${px(x0)}" x2="${px(x1)}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/>`);
      parts.push(`<text x="${px(x0) - 4}" y="${py(v) + 4}" text-anchor="end">${fmtFps(v)}</text>`);
    }
    for (const f of [64, 128, 256, 512, 1024, 1518]) {
      parts.push(`<line x1="${px(f)}" x2="${px(f)}" y1="${py(yMin)}" y2="${py(yMax)}" stroke="#eee"/>`);
      parts.push(`<text x="${px(f)}" y="${py(yMin) + 14}" text-anchor="middle">${f}</text>`);
    }
    parts.push(`<text x="${ox + (W + ml - mr) / 2}" y="${oy + H - 10}" text-anchor="middle">frame octets (log)</text>`);
    parts.push(`<text transform="translate(${ox + 14} ${oy + H / 2}) rotate(-90)" text-anchor="middle">frames/s (log)</text>`);
    const curve = (fps: (f: number) => number): string => {
      const pts: string[] = [];
      for (let i = 0; i <= 40; i++) {
        const f = x0 * Math.pow(x1 / x0, i / 40);
        pts.push(`${px(f).toFixed(1)},${py(fps(f)).toFixed(1)}`);
      }
      return pts.join(' ');
    };
    for (const g of report.linkRatesGbps) {
      parts.push(`<polyline points="${curve((f) => lineRateFps(g, f, report.secTagOctets))}" fill="none" stroke="#888" stroke-dasharray="2 3"/>`);
      parts.push(`<text x="${px(x1) + 4}" y="${py(lineRateFps(g, x1, report.secTagOctets)) + 4}" fill="#666">${g} GbE</text>`);
    }
    const ceilings = p.results.filter((r) => r.method === 'ceiling');
    if (ceilings.length > 0) {
      // The ceiling is one figure in bytes/s, measured beside every size: its median over the sizes.
      const bps = ceilings.map((r) => r.fps * r.frameOctets).sort((a, b) => a - b)[ceilings.length >> 1]!;
      parts.push(`<polyline points="${curve((f) => bps / f)}" fill="none" stroke="#ff7f0e" stroke-width="1.5" stroke-dasharray="8 3"/>`);
      // Labelled at the small-frame end, where the line-rate labels are not.
      parts.push(`<text x="${px(x0) + 4}" y="${py(bps / x0) - 5}" fill="#ff7f0e">AES-GCM ceiling</text>`);
      legend.set(METHOD_LABEL.ceiling, `<line x1="0" x2="24" y1="0" y2="0" stroke="#ff7f0e" stroke-width="1.5" stroke-dasharray="8 3"/>`);
    }
    for (const s of series(p.results.filter((r) => CHARTED.includes(r.method)))) {
      const r0 = s[0]!;
      const color = r0.backend === undefined ? (r0.method === 'node-gcm' ? '#555' : '#aaa') : (COLORS[r0.backend] ?? '#000');
      const dash = r0.method === 'frame' ? ' stroke-dasharray="1 3"' : r0.method === 'secy-transmit-burst' ? ' stroke-dasharray="6 2 1 2"' : r0.threads > 1 ? ' stroke-dasharray="6 3"' : '';
      const widthPx = r0.method === 'burst' ? 2 : r0.method === 'secy-transmit-burst' ? 1 : 1.5;
      const sized = s.filter((r) => r.size !== 'imix').sort((a, b) => a.frameOctets - b.frameOctets);
      if (sized.length > 1) {
        parts.push(`<polyline points="${sized.map((r) => `${px(r.frameOctets).toFixed(1)},${py(r.fps).toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="${widthPx}"${dash}/>`);
      }
      for (const r of sized) parts.push(`<circle cx="${px(r.frameOctets).toFixed(1)}" cy="${py(r.fps).toFixed(1)}" r="2.5" fill="${color}"/>`);
      for (const r of s.filter((x) => x.size === 'imix')) {
        const cx = px(r.frameOctets), cy = py(r.fps);
        parts.push(`<path d="M${cx.toFixed(1)} ${(cy - 4).toFixed(1)} l4 4 l-4 4 l-4 -4 z" fill="${color}"/>`);
      }
      legend.set(seriesLabel(r0), `<line x1="0" x2="24" y1="0" y2="0" stroke="${color}" stroke-width="${widthPx}"${dash}/>`);
    }
  });
  legend.set('line rate (1/10/25/100 GbE)', '<line x1="0" x2="24" y1="0" y2="0" stroke="#888" stroke-dasharray="2 3"/>');
  legend.set('IMIX (7:4:1 of 64/576/1518) at its mean size', '<path d="M12 -4 l4 4 l-4 4 l-4 -4 z" fill="#555"/>');
  const ly = rows * H + 10;
  [...legend].forEach(([label, swatch], i) => {
    const lx = 20 + (i % legendCols) * ((width - 40) / legendCols), y = ly + 14 + Math.floor(i / legendCols) * 18;
    parts.push(`<g transform="translate(${lx.toFixed(1)} ${y})">${swatch}<text x="30" y="4">${esc(label)}</text></g>`);
  });
  const height = ly + 14 + Math.ceil(legend.size / legendCols) * 18 + 24;
  const m = report.machine;
  parts.push(`<text x="20" y="${height - 8}" fill="#666">${esc(`${m.cpuModel}, ${m.cpus} CPUs, Node ${m.node}, OpenSSL ${m.openssl}; ${report.startedAt}`)}</text>`);
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  return `${[...head, ...parts, '</svg>'].join('\n')}\n`;
}
