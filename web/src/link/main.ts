/**
 * The link lab (issue 16): a scenario run by macsec-sim's `simulate` in a worker, shown as an event list
 * with step, back and play on the simulated clock. All state is in the URL hash (the contract in the
 * README): scenario or scenarioJson, seed, step, speed. Editing actors or SecY controls rewrites
 * scenarioJson, so the URL always reproduces the view.
 */
import { BUILTIN_SCENARIOS as BUILTINS, formatDuration, parseDuration, type PortView, type Side } from 'macsec-sim/link';

import { deriveIck, deriveKek, unwrapSak } from 'macsec-sim/mka';
import { fromHex, toHex } from 'macsec-sim/wire';
import { h } from '../dom.js';
import { LEVELS } from './levels.js';
import type { Reply, Request, Row, RunSummary, StepView } from './protocol.js';

/** The built-in scenarios' files, by name, in the order `macsec simulate --list` lists them. */
const BUILTIN_SCENARIOS: ReadonlyMap<string, unknown> = new Map(BUILTINS.map((s): [string, unknown] => [s.name, s.data]));

type Doc = Record<string, unknown>;
interface HashState {
  scenario: string;
  scenarioJson: string | undefined;
  seed: number | undefined;
  step: number | 'end';
  speed: number | undefined;
}

const DEFAULT_SCENARIO = 'eavesdropper';
const SPEEDS = ['1ns', '10ns', '100ns', '1us', '10us', '100us', '1ms', '10ms', '100ms', '1s'];
const TICK_MS = 100;

// ------------------------------------------------------------------ URL hash
const b64url = {
  encode(text: string): string {
    let bin = '';
    for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
  decode(s: string): string {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  },
};

function parseHash(hash: string): { state: HashState; errors: string[] } {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const errors: string[] = [];
  const state: HashState = { scenario: DEFAULT_SCENARIO, scenarioJson: undefined, seed: undefined, step: 0, speed: undefined };
  const name = p.get('scenario');
  if (name !== null) {
    if (BUILTIN_SCENARIOS.has(name)) state.scenario = name;
    else errors.push(`scenario: expected one of ${[...BUILTIN_SCENARIOS.keys()].join(', ')}, got "${name}"`);
  }
  const json = p.get('scenarioJson');
  if (json !== null) {
    try {
      JSON.parse(b64url.decode(json));
      state.scenarioJson = json;
    } catch {
      errors.push('scenarioJson: expected base64url of a scenario\'s JSON');
    }
  }
  const seed = p.get('seed');
  if (seed !== null) {
    if (/^\d+$/.test(seed) && Number(seed) <= 0xffff_ffff) state.seed = Number(seed);
    else errors.push(`seed: expected a decimal 0-4294967295, got "${seed}"`);
  }
  const step = p.get('step');
  if (step !== null) {
    if (step === 'end') state.step = 'end';
    else if (/^\d+$/.test(step)) state.step = Number(step);
    else errors.push(`step: expected an event index from 0, or "end", got "${step}"`);
  }
  const speed = p.get('speed');
  if (speed !== null) {
    try {
      const ps = parseDuration(speed, 'speed');
      if (ps > 0) state.speed = ps;
      else errors.push('speed: expected a duration above 0');
    } catch {
      errors.push(`speed: expected simulated time per second like "1us" or "1ms", got "${speed}"`);
    }
  }
  return { state, errors };
}

function writeHash(s: HashState): string {
  const p = new URLSearchParams();
  if (s.scenarioJson !== undefined) p.set('scenarioJson', s.scenarioJson);
  else p.set('scenario', s.scenario);
  if (s.seed !== undefined) p.set('seed', String(s.seed));
  p.set('step', String(s.step));
  if (s.speed !== undefined) p.set('speed', speedText(s.speed));
  return `#${p.toString()}`;
}

/** A duration as the speed parameter writes it: "100us", "1.5ms". */
function speedText(ps: number): string {
  const m = /^([\d.]+)\s*(\S+)$/.exec(formatDuration(ps));
  return m ? `${Number(m[1])}${m[2]!.replace('µs', 'us')}` : `${ps}ps`;
}
const docOf = (s: HashState): Doc =>
  s.scenarioJson !== undefined ? (JSON.parse(b64url.decode(s.scenarioJson)) as Doc) : (structuredClone(BUILTIN_SCENARIOS.get(s.scenario)) as Doc);

// ------------------------------------------------------------------ state
const main = document.getElementById('lab')!;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let hash = parseHash(location.hash);
let doc: Doc = docOf(hash.state);
let runKey = '';
let summary: RunSummary | undefined;
let current: StepView | undefined;
let token = 0;
let playing: number | undefined;
let playPs = 0;

const post = (r: Request): void => worker.postMessage(r);
function requestStep(step: number | 'end'): void {
  post({ type: 'view', step: step === 'end' ? Number.MAX_SAFE_INTEGER : step, token: ++token });
}
function requestTime(atPs: number): void {
  post({ type: 'view', step: 0, atPs, token: ++token });
}

/** Applies the hash: runs the scenario again when it or the seed changed, else shows the step. */
function applyHash(): void {
  hash = parseHash(location.hash);
  try {
    doc = docOf(hash.state);
  } catch {
    doc = structuredClone(BUILTIN_SCENARIOS.get(DEFAULT_SCENARIO)) as Doc;
  }
  const key = JSON.stringify([doc, hash.state.seed]);
  if (key !== runKey) {
    runKey = key;
    summary = undefined;
    stop();
    main.dataset['state'] = 'running';
    buildStatic();
    post({ type: 'run', doc, seed: hash.state.seed });
  } else {
    requestStep(hash.state.step);
  }
}

/** Replaces the scenario with an edited one: the URL carries it as scenarioJson. */
function editScenario(change: (d: Doc) => void): void {
  const d = structuredClone(doc);
  change(d);
  const atEnd = current !== undefined && current.step === current.total - 1;
  location.hash = writeHash({ ...hash.state, scenarioJson: b64url.encode(JSON.stringify(d)), step: atEnd ? 'end' : (current?.step ?? 0) });
}

function setStep(step: number | 'end'): void {
  hash.state.step = step;
  history.replaceState(null, '', writeHash(hash.state));
  requestStep(step);
}

worker.onmessage = (m: MessageEvent<Reply>) => {
  const r = m.data;
  if (r.type === 'progress') {
    const p = document.getElementById('progress');
    if (p) p.textContent = `running… ${Math.round(r.done * 100)} %`;
  } else if (r.type === 'error') {
    main.dataset['state'] = 'error';
    const p = document.getElementById('run-error');
    if (p) p.textContent = r.message;
    const g = document.getElementById('progress');
    if (g) g.textContent = '';
  } else if (r.type === 'ran') {
    summary = r.summary;
    buildSummary();
    requestStep(hash.state.step);
  } else if (r.token === token) {
    current = r.view;
    render(r.view);
    if (playing !== undefined && r.view.step >= r.view.total - 1) stop();
  }
};

// ------------------------------------------------------------------ playback
const speedPs = (): number => hash.state.speed ?? defaultSpeed();
/** The whole run in about twenty seconds of playback. */
function defaultSpeed(): number {
  const target = (summary?.elapsedPs ?? 1e9) / 20;
  const ladder = SPEEDS.map((s) => parseDuration(s, 'speed'));
  return ladder.find((ps) => ps >= target) ?? ladder.at(-1)!;
}
function play(): void {
  if (current === undefined || playing !== undefined) return;
  if (current.step >= current.total - 1) return;
  playPs = current.atPs;
  playing = window.setInterval(() => {
    playPs += (speedPs() * TICK_MS) / 1000;
    requestTime(playPs);
  }, TICK_MS);
  updatePlayButton();
}
function stop(): void {
  if (playing === undefined) return;
  window.clearInterval(playing);
  playing = undefined;
  if (current) {
    hash.state.step = current.step;
    history.replaceState(null, '', writeHash(hash.state));
  }
  updatePlayButton();
}
function updatePlayButton(): void {
  const b = document.getElementById('play');
  if (b) {
    b.textContent = playing === undefined ? 'Play' : 'Pause';
    b.setAttribute('aria-pressed', String(playing !== undefined));
  }
}

// ------------------------------------------------------------------ building the page
const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const card = (id: string, title: string, ...children: (Node | string)[]): HTMLElement =>
  h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);

function buildStatic(): void {
  main.replaceChildren();
  main.hidden = false;
  const names = [...BUILTIN_SCENARIOS.keys()];
  const select = h(
    'select',
    {
      id: 'scenario',
      onchange: (e: Event) => {
        location.hash = writeHash({ scenario: (e.target as HTMLSelectElement).value, scenarioJson: undefined, seed: undefined, step: 0, speed: undefined });
      },
    },
    ...names.map((n) => h('option', { value: n, selected: hash.state.scenarioJson === undefined && n === hash.state.scenario }, n)),
    hash.state.scenarioJson !== undefined ? h('option', { value: '', selected: true, disabled: true }, `${String(doc['name'] ?? 'your scenario')} (edited)`) : null,
  );
  const seed = h('input', {
    id: 'seed',
    type: 'text',
    inputmode: 'numeric',
    value: String(hash.state.seed ?? doc['seed'] ?? 1),
    onchange: (e: Event) => {
      const v = (e.target as HTMLInputElement).value.trim();
      location.hash = writeHash({ ...hash.state, seed: /^\d+$/.test(v) ? Number(v) : undefined, step: 0 });
    },
  });
  const speed = h(
    'select',
    {
      id: 'speed',
      onchange: (e: Event) => {
        hash.state.speed = parseDuration((e.target as HTMLSelectElement).value, 'speed');
        history.replaceState(null, '', writeHash(hash.state));
      },
    },
    ...SPEEDS.map((s) => h('option', { value: s }, `${s} per second`)),
  );
  const slider = h('input', {
    id: 'slider',
    type: 'range',
    min: 0,
    max: 0,
    value: 0,
    'aria-label': 'Step in the run',
    oninput: (e: Event) => {
      stop();
      setStep(Number((e.target as HTMLInputElement).value));
    },
  });
  main.append(
    hash.errors.length ? h('div', { class: 'alert', role: 'alert' }, ...hash.errors.map((e) => h('p', {}, e))) : '',
    h(
      'section',
      { class: 'card toolbar', 'aria-label': 'Scenario and playback' },
      h('div', { class: 'field' }, h('label', { for: 'scenario' }, 'Scenario'), select),
      h('div', { class: 'field seed' }, h('label', { for: 'seed' }, 'Seed'), seed),
      h(
        'div',
        { class: 'transport', role: 'group', 'aria-label': 'Playback' },
        h('button', { type: 'button', id: 'to-start', onclick: () => (stop(), setStep(0)) }, 'Start'),
        h('button', { type: 'button', id: 'back', onclick: () => (stop(), setStep(Math.max(0, (current?.step ?? 0) - 1))) }, 'Back'),
        h('button', { type: 'button', id: 'play', 'aria-pressed': 'false', onclick: () => (playing === undefined ? play() : stop()) }, 'Play'),
        h('button', { type: 'button', id: 'forward', onclick: () => (stop(), setStep((current?.step ?? 0) + 1)) }, 'Step'),
        h('button', { type: 'button', id: 'to-end', onclick: () => (stop(), setStep('end')) }, 'End'),
      ),
      h('div', { class: 'field' }, h('label', { for: 'speed' }, 'Speed (simulated time)'), speed),
      h('div', { class: 'position' }, slider, h('p', { id: 'position', 'aria-live': 'polite' }, '')),
      h('p', { id: 'progress', class: 'hint' }, 'running…'),
      h('p', { id: 'run-error', class: 'error', role: 'alert' }),
    ),
    h('p', { class: 'description' }, String(doc['description'] ?? '')),
    h(
      'div',
      { class: 'linkgrid' },
      portCard('a'),
      h('section', { class: 'card wire', id: 'wire', 'aria-labelledby': 'wire-h' }, h('h2', { id: 'wire-h' }, 'On the wire'), h('div', { id: 'wire-body' })),
      portCard('b'),
    ),
    h(
      'div',
      { class: 'cols' },
      card('events', 'Event list', h('p', { class: 'hint' }, 'Every event of the run, in order; the current one is marked. A frame opens in the frame lab with the keys of that moment.'), h('ol', { 'data-testid': 'event-list', id: 'event-list', class: 'events' })),
      h(
        'div',
        { class: 'stack' },
        card('strip', 'Replay window', h('div', { id: 'strip-body', 'data-testid': 'replay-strip' }), controlsEditor()),
        card('keys', 'Keys and rollover', h('div', { id: 'keys-body' })),
      ),
    ),
    doc['mka'] !== undefined ? mkaCard() : '',
    h('div', { class: 'cols' }, card('actors', 'Attackers on the wire', h('div', { id: 'actors-body' }), actorEditor()), card('lessons', 'Lessons', h('div', { id: 'lessons-body' }), levels())),
    h('div', { class: 'cols' }, card('builder', 'Build a link', linkBuilder()), card('scenario-json', 'The scenario', scenarioEditor())),
  );
}

function portCard(side: Side): HTMLElement {
  return h(
    'section',
    { class: `card port port-${side}`, id: `port-${side}`, 'aria-labelledby': `port-${side}-h` },
    h('h2', { id: `port-${side}-h` }, `Port ${side}`),
    h('p', { class: 'sak' }, 'SAK in use (KaY): ', h('span', { 'data-testid': `kay-${side}-sak`, id: `kay-${side}-sak` }, 'none')),
    h('div', { id: `port-${side}-sas` }),
    h('div', { id: `port-${side}-counters` }),
    h('details', { class: 'json' }, h('summary', {}, 'All counters, as JSON'), h('pre', { 'data-testid': `counters-${side}`, id: `counters-${side}` }, '{}')),
  );
}

function controlsEditor(): HTMLElement {
  const secy = (doc['secy'] ?? {}) as Doc;
  const win = h('input', { id: 'c-window', type: 'text', inputmode: 'numeric', value: String(secy['replayWindow'] ?? 0) });
  const validate = h('select', { id: 'c-validate' }, ...['Strict', 'Check', 'Disabled'].map((v) => h('option', { value: v, selected: String(secy['validateFrames'] ?? 'Strict').toLowerCase() === v.toLowerCase() }, v)));
  const protect = h('input', { id: 'c-replay', type: 'checkbox', checked: secy['replayProtect'] !== false });
  return h(
    'form',
    {
      class: 'controls-edit',
      'aria-label': 'SecY controls',
      onsubmit: (e: Event) => {
        e.preventDefault();
        editScenario((d) => {
          const s = ((d['secy'] as Doc | undefined) ?? (d['secy'] = {})) as Doc;
          s['replayWindow'] = Number(win.value) || 0;
          s['validateFrames'] = validate.value;
          s['replayProtect'] = protect.checked;
        });
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'c-window' }, 'replayWindow'), win),
    h('div', { class: 'field' }, h('label', { for: 'c-validate' }, 'validateFrames'), validate),
    h('label', { class: 'check' }, protect, 'replayProtect'),
    h('button', { type: 'submit' }, 'Run again with these'),
  );
}

const ACTOR_PARAMS: Record<string, readonly [string, string][]> = {
  tap: [],
  drop: [['rate', '0.01']],
  duplicate: [['rate', '0.01']],
  reorder: [['rate', '0.02'], ['depth', '4']],
  corrupt: [['rate', '0.01'], ['bits', '1']],
  jitter: [['max', '2us']],
  replay: [['rate', '0.05'], ['window', '200']],
  tamper: [['field', 'payload'], ['rate', '0.03']],
  inject: [['rate', '0.02']],
};
const paramValue = (v: string): string | number => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);

function actorEditor(): HTMLElement {
  const actors = (doc['actors'] ?? {}) as Record<string, Doc[]>;
  const list = h('ul', { class: 'actor-list' });
  for (const side of ['a', 'b'] as const) {
    (actors[side] ?? []).forEach((a, i) => {
      const fields = (ACTOR_PARAMS[String(a['type'])] ?? []).map(([name]) => {
        const id = `actor-${side}-${i}-${name}`;
        return h(
          'span',
          { class: 'param' },
          h('label', { for: id }, name),
          h('input', {
            id,
            type: 'text',
            value: String(a[name] ?? ''),
            onchange: (e: Event) => editScenario((d) => (((d['actors'] as Record<string, Doc[]>)[side]![i]![name] = paramValue((e.target as HTMLInputElement).value)))),
          }),
        );
      });
      list.append(
        h(
          'li',
          {},
          h('span', { class: 'actor-name' }, `${String(a['type'])} on ${side} → ${side === 'a' ? 'b' : 'a'}`),
          ...fields,
          h('button', { type: 'button', onclick: () => editScenario((d) => (d['actors'] as Record<string, Doc[]>)[side]!.splice(i, 1)) }, 'Remove'),
        ),
      );
    });
  }
  const type = h('select', { id: 'add-type' }, ...Object.keys(ACTOR_PARAMS).map((t) => h('option', { value: t }, t)));
  const side = h('select', { id: 'add-side' }, h('option', { value: 'a' }, 'frames from a'), h('option', { value: 'b' }, 'frames from b'));
  return h(
    'div',
    { class: 'actor-edit' },
    h('h3', {}, 'Edit the attackers'),
    list,
    h(
      'form',
      {
        class: 'add-actor',
        'aria-label': 'Add an actor',
        onsubmit: (e: Event) => {
          e.preventDefault();
          editScenario((d) => {
            const all = ((d['actors'] as Record<string, Doc[]> | undefined) ?? (d['actors'] = {})) as Record<string, Doc[]>;
            const spec: Doc = { type: type.value };
            for (const [name, v] of ACTOR_PARAMS[type.value] ?? []) spec[name] = paramValue(v);
            (all[side.value] ??= []).push(spec);
          });
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'add-type' }, 'Actor'), type),
      h('div', { class: 'field' }, h('label', { for: 'add-side' }, 'On'), side),
      h('button', { type: 'submit', id: 'add-actor' }, 'Add and run'),
    ),
  );
}

/** The link, the first flow and the cipher suite of the scenario, as a form; running it rewrites scenarioJson. */
function linkBuilder(): HTMLElement {
  const link = (doc['link'] ?? {}) as Doc;
  const flow = (((doc['traffic'] as Doc[] | undefined) ?? [])[0] ?? {}) as Doc;
  const secy = (doc['secy'] ?? {}) as Doc;
  const input = (id: string, label: string, value: unknown, hint: string): HTMLElement =>
    h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, type: 'text', value: String(value ?? ''), 'aria-describedby': `${id}-hint` }), h('span', { class: 'hint', id: `${id}-hint` }, hint));
  const rate = h('select', { id: 'b-rate' }, ...['1G', '10G', '25G', '40G', '100G', '400G'].map((r) => h('option', { value: r, selected: String(link['rate'] ?? '10G') === r }, r)));
  const suite = h(
    'select',
    { id: 'b-suite', disabled: doc['mka'] !== undefined },
    ...['GCM-AES-128', 'GCM-AES-256', 'GCM-AES-XPN-128', 'GCM-AES-XPN-256'].map((x) => h('option', { value: x, selected: String(secy['cipherSuite'] ?? 'GCM-AES-128').toUpperCase() === x }, x)),
  );
  const value = (id: string): string => byId<HTMLInputElement>(id).value.trim();
  return h(
    'form',
    {
      class: 'builder-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        editScenario((d) => {
          d['link'] = { ...((d['link'] as Doc | undefined) ?? {}), rate: rate.value, cableMeters: paramValue(value('b-cable')) };
          const traffic = ((d['traffic'] as Doc[] | undefined) ?? [{ from: 'a' }]).slice();
          traffic[0] = { ...traffic[0], frames: paramValue(value('b-frames')), size: paramValue(value('b-size')), load: paramValue(value('b-load')) };
          d['traffic'] = traffic;
          if (d['mka'] === undefined) d['secy'] = { ...((d['secy'] as Doc | undefined) ?? {}), cipherSuite: suite.value };
        });
      },
    },
    h('div', { class: 'pair' }, h('div', { class: 'field' }, h('label', { for: 'b-rate' }, 'Line rate'), rate), input('b-cable', 'Cable length (m)', link['cableMeters'] ?? 10, '5 ns of propagation per metre')),
    h('div', { class: 'pair' }, input('b-frames', 'Frames (first flow)', flow['frames'] ?? 1000, `from ${String(flow['from'] ?? 'a')}`), input('b-size', 'Frame size', flow['size'] ?? 512, 'octets with FCS, or "imix"')),
    h('div', { class: 'pair' }, input('b-load', 'Load', flow['load'] ?? 0.5, 'share of the line rate, 0-1'), h('div', { class: 'field' }, h('label', { for: 'b-suite' }, 'Cipher suite'), suite)),
    h('p', { class: 'hint' }, 'The SecY controls are with the replay window; the attackers above. A value the scenario schema refuses is named here, as the CLI names it.'),
    h('button', { type: 'submit' }, 'Run this link'),
  );
}

function scenarioEditor(): HTMLElement {
  const area = h('textarea', { id: 'scenario-text', rows: 12, spellcheck: 'false', 'aria-describedby': 'scenario-hint' }, JSON.stringify(doc, null, 2));
  const file = h('input', {
    id: 'scenario-file',
    type: 'file',
    accept: '.json,application/json',
    onchange: async (e: Event) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) area.value = await f.text();
    },
  });
  const error = h('p', { class: 'error', id: 'scenario-error', role: 'alert' });
  area.addEventListener('dragover', (e) => e.preventDefault());
  area.addEventListener('drop', async (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files[0];
    if (f) area.value = await f.text();
  });
  return h(
    'form',
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        try {
          const d = JSON.parse(area.value) as unknown;
          location.hash = writeHash({ ...hash.state, scenarioJson: b64url.encode(JSON.stringify(d)), step: 0 });
        } catch (x) {
          error.textContent = `not JSON: ${x instanceof Error ? x.message : String(x)}`;
        }
      },
    },
    h('p', { class: 'hint', id: 'scenario-hint' }, 'The JSON macsec simulate reads (README, examples/scenarios/). Edit it, paste one, or drop or choose a file; the page checks every field as the CLI does.'),
    h('div', { class: 'field' }, h('label', { for: 'scenario-text' }, 'Scenario JSON'), area),
    h('div', { class: 'field' }, h('label', { for: 'scenario-file' }, 'Or open a file'), file),
    error,
    h('button', { type: 'submit' }, 'Run this scenario'),
  );
}

function mkaCard(): HTMLElement {
  const m = doc['mka'] as Doc;
  const prio = m['keyServerPriority'];
  const p = typeof prio === 'number' ? { a: prio, b: prio } : ((prio ?? { a: 16, b: 16 }) as Record<Side, number>);
  const slider = (side: Side): HTMLElement =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `prio-${side}` }, `Key Server Priority of ${side}: ${p[side] ?? 16}`),
      h('input', {
        id: `prio-${side}`,
        type: 'range',
        min: 0,
        max: 255,
        value: p[side] ?? 16,
        onchange: (e: Event) =>
          editScenario((d) => {
            const mm = d['mka'] as Doc;
            mm['keyServerPriority'] = { ...p, [side]: Number((e.target as HTMLInputElement).value) };
          }),
      }),
    );
  const cak = String(m['cak']);
  const ckn = String(m['ckn']);
  const ick = toHex(deriveIck(fromHex(cak), fromHex(ckn)));
  const kek = toHex(deriveKek(fromHex(cak), fromHex(ckn)));
  return card(
    'mka',
    'Key agreement (MKA)',
    h(
      'div',
      { class: 'cols' },
      h('div', {}, h('h3', {}, 'MKPDUs between the KaYs'), h('div', { id: 'mka-body', 'data-testid': 'mka-sequence', class: 'sequence' })),
      h(
        'div',
        {},
        h('h3', {}, 'Key server election'),
        h('p', { class: 'hint' }, 'The lowest Key Server Priority wins; a tie goes to the lower SCI (port a\'s). Moving a slider runs the scenario again.'),
        slider('a'),
        slider('b'),
        h('p', { id: 'election', 'aria-live': 'polite' }, 'No key server yet: it is elected once a peer is live.'),
        h('h3', {}, 'What each KaY counted over the run'),
        h('div', { id: 'kay-counters' }),
        h('h3', {}, 'The key tree'),
        h(
          'dl',
          { class: 'outputs tree-keys' },
          h('dt', {}, 'CAK (pre-shared)'),
          h('dd', {}, h('code', { class: 'key' }, cak)),
          h('dt', {}, 'CKN (its name)'),
          h('dd', {}, h('code', { class: 'key' }, ckn)),
          h('dt', {}, 'ICK = KDF(CAK, "IEEE8021 ICK", CKN)'),
          h('dd', {}, h('code', { class: 'key' }, ick), 'signs every MKPDU (its AES-CMAC ICV)'),
          h('dt', {}, 'KEK = KDF(CAK, "IEEE8021 KEK", CKN)'),
          h('dd', {}, h('code', { class: 'key' }, kek), 'wraps the SAK (AES Key Wrap)'),
          ...(m['cakB'] !== undefined
            ? [
                h('dt', {}, 'b\'s CAK (cakB)'),
                h('dd', {}, h('code', { class: 'key' }, String(m['cakB'])), 'differs: b\'s ICK is ', h('code', { class: 'key' }, toHex(deriveIck(fromHex(String(m['cakB'])), fromHex(String(m['cknB'] ?? ckn))))), 'so every MKPDU fails the other\'s ICV check (BAD_ICV)'),
              ]
            : []),
          h('dt', {}, 'SAK'),
          h('dd', { id: 'sak-tree' }, 'not yet distributed'),
        ),
      ),
    ),
  );
}

function levels(): HTMLElement {
  return h(
    'div',
    { class: 'levels' },
    h('h3', {}, 'Guided levels'),
    h(
      'ol',
      {},
      ...LEVELS.map((l) =>
        h('li', {}, h('a', { href: `#${l.hash}` }, l.title), h('p', {}, l.question, ' ', h('em', {}, l.experiment)), h('p', { class: 'hint' }, 'The counter that answers it: ', l.counter)),
      ),
    ),
  );
}

/** The parts that depend on the finished run, not on the step. */
function buildSummary(): void {
  const s = summary!;
  byId('progress').textContent = `${s.events.toLocaleString('en-US')} events in ${formatDuration(s.elapsedPs)} simulated${s.stride > 1 ? `; the list keeps every ${s.stride}th` : ''}`;
  const slider = byId<HTMLInputElement>('slider');
  slider.max = String(s.total - 1);
  const ps = speedPs();
  const speed = byId<HTMLSelectElement>('speed');
  if (!SPEEDS.some((x) => parseDuration(x, 'speed') === ps)) speed.append(h('option', { value: speedText(ps) }, `${speedText(ps)} per second`));
  speed.value = SPEEDS.find((x) => parseDuration(x, 'speed') === ps) ?? speedText(ps);
  const actors = byId('actors-body');
  actors.replaceChildren(
    s.actors.length === 0 ? h('p', { class: 'note' }, 'No actor on the wire: add one below.') : '',
    ...s.actors.map((a) =>
      h(
        'div',
        { class: 'actor' },
        h('h3', {}, `${a.name} on ${a.side} → ${a.side === 'a' ? 'b' : 'a'}: touched ${a.touched}`),
        h('p', {}, 'What became of those frames: ', Object.entries(a.fate).map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing yet'),
        a.examples.length ? h('ul', { class: 'hint' }, ...a.examples.map((e) => h('li', {}, e))) : '',
      ),
    ),
    s.eavesdropper.length ? h('div', { class: 'tap' }, h('h3', {}, 'What a tap on the wire learns'), h('ul', {}, ...s.eavesdropper.map((l) => h('li', { class: l.startsWith('hidden') ? 'hidden-item' : '' }, l)))) : '',
  );
  byId('lessons-body').replaceChildren(s.lessons.length ? h('ul', {}, ...s.lessons.map((l) => h('li', {}, l))) : h('p', { class: 'note' }, 'This scenario has no lessons.'));
}

// ------------------------------------------------------------------ rendering a step
const pn = (x: bigint): string => x.toLocaleString('en-US');

function sasTable(p: PortView): HTMLElement {
  return h(
    'div',
    {},
    h('p', { class: 'hint' }, `Transmit SC: encoding AN ${p.encodingAN}`),
    h(
      'table',
      { class: 'data' },
      h('caption', { class: 'sr' }, 'Transmit and receive SAs'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'SA'), h('th', { scope: 'col' }, 'AN'), h('th', { scope: 'col' }, 'nextPN'), h('th', { scope: 'col' }, 'lowestPN'))),
      h(
        'tbody',
        {},
        p.transmitSAs.length + p.receiveSAs.length === 0 ? h('tr', {}, h('td', { colspan: 4 }, 'no SA yet')) : null,
        ...p.transmitSAs.map((t) => h('tr', { class: t.an === p.encodingAN && t.enableTransmit ? 'in-use' : '' }, h('td', {}, 'transmit'), h('td', {}, String(t.an)), h('td', {}, pn(t.nextPN)), h('td', {}, '–'))),
        ...p.receiveSAs.map((r) => h('tr', {}, h('td', {}, `receive from ${r.sci.slice(10, 12) === '0a' ? 'a' : 'b'}`), h('td', {}, String(r.an)), h('td', {}, pn(r.nextPN)), h('td', {}, pn(r.lowestPN)))),
      ),
    ),
  );
}

function countersTable(side: Side, p: PortView, before: PortView | undefined): HTMLElement {
  const nonzero = Object.entries(p.counters).filter(([, v]) => v !== 0);
  return h(
    'table',
    { class: 'data counters' },
    h('caption', {}, 'Counters that are not zero'),
    h('tbody', {}, ...nonzero.map(([k, v]) => h('tr', { class: before && (before.counters as unknown as Record<string, number>)[k] !== v ? 'moved' : '' }, h('th', { scope: 'row' }, k), h('td', {}, v.toLocaleString('en-US'))))),
    nonzero.length === 0 ? h('tbody', {}, h('tr', {}, h('td', { colspan: 2 }, `all zero on ${side}`))) : '',
  );
}

const frameLabLink = (r: Row): HTMLElement | string =>
  r.frameLab ? h('a', { class: 'open-lab', href: `./index.html#${r.frameLab}`, 'aria-label': `Open event ${r.index} in the frame lab` }, 'frame lab') : '';

let shown: StepView | undefined;
function render(v: StepView): void {
  const before = shown;
  shown = v;
  main.dataset['state'] = 'ready';
  main.dataset['step'] = String(v.step);
  main.dataset['total'] = String(v.total);
  byId<HTMLInputElement>('slider').value = String(v.step);
  byId('position').textContent = `step ${v.step} of ${v.total - 1}${v.step === v.total - 1 ? ' (end)' : ''} · t = ${formatDuration(v.atPs)}`;
  for (const side of ['a', 'b'] as const) {
    const p = v.ports[side];
    byId(`counters-${side}`).textContent = JSON.stringify(p.counters);
    byId(`kay-${side}-sak`).textContent = v.sak[side];
    byId(`port-${side}-sas`).replaceChildren(sasTable(p));
    byId(`port-${side}-counters`).replaceChildren(countersTable(side, p, before?.ports[side]));
  }
  byId('wire-body').replaceChildren(
    lanes(v),
    h('p', { class: `now fate-${v.current.fate}` }, h('span', { class: 'time' }, formatDuration(v.current.atPs)), ' ', v.current.text, ' ', frameLabLink(v.current)),
    h('h3', {}, 'Latest arrivals'),
    h('ul', { class: 'arrivals' }, ...v.wire.map((r) => h('li', { class: `fate-${r.fate}` }, r.text))),
  );
  const list = byId('event-list');
  list.replaceChildren(
    ...v.rows.map((r) =>
      h(
        'li',
        { class: `fate-${r.fate}`, value: r.index, ...(r.index === v.step ? { 'aria-current': 'step' } : {}) },
        h('button', { type: 'button', class: 'goto', onclick: () => (stop(), setStep(r.index)) }, h('span', { class: 'time' }, formatDuration(r.atPs)), ' ', r.text),
        ' ',
        frameLabLink(r),
      ),
    ),
  );
  renderStrip(v);
  renderKeys(v);
  if (summary?.mka) renderMka(v);
}

/** The two directions of the link, with the frames on their way now, coloured by what will become of them. */
function lanes(v: StepView): HTMLElement {
  const lane = (from: Side): HTMLElement => {
    const frames = v.inFlight.filter((f) => f.from === from);
    const track = h('div', { class: `track track-${from}` });
    for (const f of frames) {
      const dot = h('span', { class: `dot fate-${f.fate}`, title: f.label });
      dot.style.left = `${(from === 'a' ? f.progress : 1 - f.progress) * 100}%`;
      track.append(dot);
    }
    return h(
      'div',
      { class: 'lane' },
      h('span', { class: 'lane-name' }, from === 'a' ? 'a → b' : 'b → a'),
      track,
      h('span', { class: 'sr' }, frames.length === 0 ? 'no frame on the way' : frames.map((f) => `${f.label}, ${Math.round(f.progress * 100)} % of the way`).join('; ')),
    );
  };
  return h('div', { class: 'lanes', role: 'group', 'aria-label': 'Frames on the wire now' }, lane('a'), lane('b'));
}

function renderStrip(v: StepView): void {
  const s = v.strip;
  const body = byId('strip-body');
  if (s === undefined) {
    body.replaceChildren(h('p', { class: 'note' }, 'No receive SA yet for the busier direction.'));
    return;
  }
  body.replaceChildren(
    h('p', {}, `Port ${s.receiver}'s receive SA under AN ${s.an}: lowestPN ${pn(s.lowestPN)}, nextPN ${pn(s.nextPN)} (replayWindow ${s.replayWindow}). A PN below lowestPN is Late; the window accepts the rest, even a PN it has seen (802.1AE keeps no bitmap).`),
    h(
      'ol',
      { class: 'strip', 'aria-label': 'PNs around lowestPN' },
      ...s.cells.map((c) =>
        c.gap
          ? h('li', { class: 'gap' }, h('span', { 'aria-hidden': 'true' }, '…'), h('span', { class: 'sr' }, 'PNs left out'))
          : h(
              'li',
              {
                class: `zone-${c.zone}${c.seen ? ` seen-${/Late/.test(c.seen) ? 'late' : /OK|Unchecked|Delayed/.test(c.seen) ? 'ok' : 'bad'}` : ''}${c.current ? ' current' : ''}`,
                title: `PN ${c.pn}: ${c.zone === 'late' ? 'Late (below lowestPN)' : c.zone === 'window' ? 'inside the window' : 'not seen yet'}${c.seen ? `; arrived: ${c.seen}` : ''}`,
                ...(c.current ? { 'aria-current': 'true' } : {}),
              },
              h('span', { class: 'sr' }, `PN ${c.pn} ${c.zone}${c.seen ? ` arrived ${c.seen}` : ''}${c.current ? ' (this step\'s frame)' : ''}`),
              h('span', { 'aria-hidden': 'true' }, c.pn < 100_000 ? String(c.pn) : `…${String(c.pn).slice(-4)}`),
            ),
      ),
    ),
    h('ul', { class: 'legend' }, h('li', {}, h('span', { class: 'swatch zone-late' }), 'Late: below lowestPN'), h('li', {}, h('span', { class: 'swatch zone-window' }), 'in the window'), h('li', {}, h('span', { class: 'swatch zone-fresh' }), 'not seen yet'), h('li', {}, h('span', { class: 'swatch seen-ok' }), 'arrived, delivered'), h('li', {}, h('span', { class: 'swatch seen-late' }), 'arrived, InPktsLate'), h('li', {}, h('span', { class: 'swatch current' }), 'this step\'s frame')),
  );
}

function renderKeys(v: StepView): void {
  const s = summary;
  if (s === undefined) return;
  const sender = v.ports.a.transmitSAs.length > 0 ? 'a' : 'b';
  const tx = v.ports[sender].transmitSAs.find((t) => t.an === v.ports[sender].encodingAN);
  const threshold = s.rekeyAtPN;
  const max = s.xpn ? 2n ** 64n - 1n : 2n ** 32n - 1n;
  const share = tx && threshold ? Number((tx.nextPN * 1000n) / threshold) / 10 : 0;
  byId('keys-body').replaceChildren(
    tx
      ? h(
          'div',
          {},
          h('p', {}, `Port ${sender} transmits under AN ${tx.an}, nextPN ${pn(tx.nextPN)}. The rekey threshold is ${threshold === undefined ? 'not set' : pn(threshold)}; the last PN of the ${s.suite} SA is ${pn(max)}.`),
          h('meter', { min: 0, max: 100, value: Math.min(100, share), 'aria-label': 'nextPN as a share of the rekey threshold' }),
          h('span', { class: 'hint' }, ` ${Math.min(100, share).toFixed(1)} % of the threshold${threshold !== undefined && tx.nextPN < threshold ? `: ${pn(threshold - tx.nextPN)} PNs before a rollover` : threshold !== undefined ? ': past it, a rollover is due' : ''}`),
        )
      : h('p', { class: 'note' }, 'No transmit SA yet.'),
    h(
      'p',
      { class: 'hint' },
      `At this line rate with ${s.pnBudget.frameOctets}-octet frames (${(s.pnBudget.framesPerSecond / 1e6).toFixed(2)} Mframes/s) 2^32 PNs last ${span(s.pnBudget.plainSeconds)}; XPN's 2^64 last ${span(s.pnBudget.xpnSeconds)}.`,
    ),
    h(
      'p',
      {},
      'Over the whole run: ',
      (['a->b', 'b->a'] as const)
        .filter((d) => s.delivery[d].offered > 0)
        .map((d) => `${d.replace('->', ' → ')} ${s.delivery[d].offered.toLocaleString('en-US')} frames offered, ${s.delivery[d].delivered.toLocaleString('en-US')} delivered, ${s.delivery[d].lost.toLocaleString('en-US')} lost`)
        .join('; '),
      '.',
    ),
    h('h3', {}, 'SA installs, switches and retirements'),
    v.keyEvents.length === 0
      ? h('p', { class: 'note' }, 'None yet.')
      : h('ol', { class: 'keyevents' }, ...v.keyEvents.map((k) => h('li', {}, h('button', { type: 'button', class: 'goto', onclick: () => (stop(), setStep(k.index)) }, h('span', { class: 'time' }, formatDuration(k.atPs)), ' ', k.text)))),
  );
}

function span(seconds: number): string {
  const year = 365.25 * 24 * 3600;
  if (seconds >= year) return `${(seconds / year).toLocaleString('en-US', { maximumFractionDigits: 0 })} years`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} hours`;
  return formatDuration(seconds * 1e12);
}

function renderMka(v: StepView): void {
  const body = document.getElementById('mka-body');
  if (!body) return;
  body.replaceChildren(
    h('div', { class: 'lifelines', 'aria-hidden': 'true' }, h('span', {}, 'KaY a'), h('span', {}, 'KaY b')),
    v.mkpdus.length === 0
      ? h('p', { class: 'note' }, 'No MKPDU yet.')
      : h(
          'ol',
          { class: 'mkpdus' },
          ...v.mkpdus.map((m) =>
            h(
              'li',
              { class: `from-${m.from}` },
              h('button', { type: 'button', class: 'goto', onclick: () => (stop(), setStep(m.index)) }, h('span', { class: 'time' }, formatDuration(m.atPs)), ` ${m.from} → ${m.from === 'a' ? 'b' : 'a'}: ${m.verdict}`),
              h('ul', { class: 'sets' }, ...m.sets.map((s) => h('li', {}, s))),
            ),
          ),
        ),
  );
  const election = document.getElementById('election');
  if (election) election.textContent = v.election ? `Elected: ${v.election}` : 'No key server yet: it is elected once a peer is live.';
  const counted = document.getElementById('kay-counters');
  if (counted && summary?.kayCounters && counted.childElementCount === 0) {
    const c = summary.kayCounters;
    const rows = Object.keys(c.a).map((k) => h('tr', {}, h('th', { scope: 'row' }, k), ...(['a', 'b'] as const).map((side) => h('td', {}, countText(c[side][k])))));
    counted.append(h('table', { class: 'data' }, h('caption', { class: 'sr' }, 'KaY counters'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'counter'), h('th', { scope: 'col' }, 'a'), h('th', { scope: 'col' }, 'b'))), h('tbody', {}, ...rows)));
  }
  const last = [...v.mkpdus].reverse().find((m) => m.wrapped !== undefined);
  const tree = document.getElementById('sak-tree');
  if (tree && last?.wrapped) {
    const m = doc['mka'] as Doc;
    const kek = deriveKek(fromHex(String(m['cak'])), fromHex(String(m['ckn'])));
    const unwrapped = unwrapSak(kek, fromHex(last.wrapped));
    tree.replaceChildren(
      'wrapped (AES-KW under the KEK), as the Distributed SAK carries it:',
      h('code', { class: 'key' }, last.wrapped),
      unwrapped.ok ? `unwrapped by the peer with the same KEK: a ${unwrapped.value.length}-octet SAK (its value stays in the SecYs)` : `unwrap failed: ${unwrapped.error.message}`,
    );
    if (unwrapped.ok) unwrapped.value.fill(0);
  }
}

const countText = (v: unknown): string =>
  typeof v === 'number' ? String(v) : typeof v === 'object' && v !== null ? Object.entries(v).map(([k, n]) => `${k} ${String(n)}`).join(', ') || '0' : String(v);

// ------------------------------------------------------------------ keyboard and start
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (t.closest('input, textarea, select') || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === ',') (stop(), setStep(Math.max(0, (current?.step ?? 0) - 1)));
  else if (e.key === '.') (stop(), setStep((current?.step ?? 0) + 1));
  else if (e.key === 'p') playing === undefined ? play() : stop();
});
window.addEventListener('hashchange', applyHash);
applyHash();
