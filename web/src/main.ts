/**
 * The frame lab: a builder, the frame on the wire (hex pane, field tree, TCI table, linked both ways), the
 * GCM steps and the receiver's walk. All state lives in the URL hash (state.ts); every value shown comes
 * from the engine (model.ts).
 */
import { CIPHER_SUITES, CIPHER_SUITE_NAMES, CONFIDENTIALITY_OFFSETS, type CipherSuiteName, type GcmTrace } from 'macsec-sim/crypto';
import { ivSourceText, TRACE_STEPS, type ExplainNode, type TraceStep } from 'macsec-sim/explain';
import { VALIDATE_FRAMES, type ValidateFrames } from 'macsec-sim/secy';
import { fromHex, toHex } from 'macsec-sim/wire';
import { joinFrame, payloadText, splitFrame, textBytes, type FrameFields } from './builder.js';
import { h, spaced } from './dom.js';
import { compute, type Band, type Model } from './model.js';
import { BREAKINGS, formatHash, parseHash, type Breaking, type ParamProblem, type State } from './state.js';

let state: State;
let problems: ParamProblem[] = [];
let model: Model;
/** In-page only: which tree nodes are collapsed, what the pointer is over, what was predicted. */
const collapsed = new Set<string>();
let hoverPath: string | undefined;
let selectedPath: string | undefined;
let revealed = false;
let prediction = '';
let payloadAsHex = false;

const main = document.getElementById('lab')!;
main.hidden = false;

// ---- field tree bookkeeping -------------------------------------------------------------------------

interface TreeEntry {
  readonly path: string;
  readonly node: ExplainNode;
  readonly depth: number;
  /** Octets it covers: its own, or its parent's when it names none (TCI bits, dump lines). */
  readonly from: number;
  readonly to: number;
  readonly own: boolean;
  readonly parent: string | undefined;
}
let entries: TreeEntry[] = [];
const byPath = new Map<string, TreeEntry>();

function indexTree(nodes: readonly ExplainNode[]): void {
  entries = [];
  byPath.clear();
  // A node's octets: its own, else the span of its children's (Ethernet: DA and SA), else its parent's (TCI bits).
  const span = (n: ExplainNode): [number, number] | undefined => {
    if (n.offset !== undefined) return [n.offset, n.offset + (n.length ?? 1)];
    const kids = (n.children ?? []).map(span).filter((x): x is [number, number] => x !== undefined);
    return kids.length === 0 ? undefined : [Math.min(...kids.map((k) => k[0])), Math.max(...kids.map((k) => k[1]))];
  };
  const walk = (list: readonly ExplainNode[], prefix: string, depth: number, parent: TreeEntry | undefined): void => {
    list.forEach((node, i) => {
      const path = `${prefix}${i}`;
      const [from, to] = span(node) ?? [parent?.from ?? -1, parent?.to ?? -1];
      const e: TreeEntry = { path, node, depth, from, to, own: node.offset !== undefined, parent: parent?.path };
      entries.push(e);
      byPath.set(path, e);
      if (node.children) walk(node.children, `${path}-`, depth + 1, e);
    });
  };
  walk(nodes, 'n', 1, undefined);
}

/** The deepest field with its own octets that holds `offset`. */
function fieldAt(offset: number): TreeEntry | undefined {
  let best: TreeEntry | undefined;
  for (const e of entries) {
    if (!e.own || offset < e.from || offset >= e.to) continue;
    if (!best || e.depth > best.depth || (e.depth === best.depth && e.to - e.from < best.to - best.from)) best = e;
  }
  return best;
}

// ---- state ------------------------------------------------------------------------------------------

function load(): void {
  const parsed = parseHash(location.hash);
  state = parsed.state;
  problems = parsed.problems;
  selectedPath = undefined;
  revealed = false;
  render();
  writeHash();
}

function writeHash(): void {
  const hash = formatHash(state);
  if (hash !== location.hash) history.replaceState(null, '', hash === '' ? location.pathname + location.search : hash);
}

function update(change: Partial<State>, keepSelection = false): void {
  state = { ...state, ...change };
  problems = [];
  if (!keepSelection) selectedPath = undefined;
  revealed = false;
  writeHash();
  render();
}

// ---- builder (built once; values synced on each render) ---------------------------------------------

const fieldErrors = new Map<string, string>();

function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { id: `${id}-hint`, class: 'hint' }, hint) : null, h('small', { id: `${id}-error`, class: 'error', role: 'status' }));
}

function textInput(id: string, onValue: (v: string) => void, attrs: Record<string, string> = {}): HTMLInputElement {
  const input = h('input', { id, type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': `${id}-hint ${id}-error`, ...attrs });
  input.addEventListener('input', () => {
    try {
      onValue(input.value.trim());
      fieldErrors.delete(id);
      input.removeAttribute('aria-invalid');
      document.getElementById(`${id}-error`)!.textContent = '';
    } catch (e) {
      fieldErrors.set(id, e instanceof Error ? e.message : String(e));
      input.setAttribute('aria-invalid', 'true');
      document.getElementById(`${id}-error`)!.textContent = fieldErrors.get(id)!;
    }
  });
  return input;
}

const check = (id: string, label: string, onChange: (v: boolean) => void): HTMLElement => {
  const input = h('input', { id, type: 'checkbox' });
  input.addEventListener('change', () => onChange(input.checked));
  return h('div', { class: 'check' }, input, h('label', { for: id }, label));
};

function select<T extends string>(id: string, options: readonly T[], names: (o: T) => string, onChange: (v: T) => void): HTMLSelectElement {
  const el = h('select', { id }, ...options.map((o) => h('option', { value: o }, names(o))));
  el.addEventListener('change', () => onChange(el.value as T));
  return el;
}

const hexOf = (v: string, name: string, length?: number): string => toHex(fromHex(v, name, length));

function frameFields(): FrameFields {
  const f = splitFrame(state.frame);
  if (!f) throw new Error('frame: the builder needs at least DA, SA and EtherType (14 octets)');
  return f;
}

function editFrame(change: (f: FrameFields) => FrameFields): void {
  update({ frame: joinFrame(change(frameFields())), protected: undefined });
}

function pnText(v: string): bigint {
  if (!/^\d{1,20}$/.test(v)) throw new Error('PN: a decimal number');
  const pn = BigInt(v);
  const suite = CIPHER_SUITES[state.suite];
  if (pn < (suite.xpn ? 0n : 1n) || pn > suite.maxPN) throw new Error(`PN: ${suite.xpn ? 0 : 1} to ${suite.maxPN}`);
  return pn;
}

const builder = h(
  'form',
  { class: 'card builder', 'aria-labelledby': 'builder-h', onsubmit: (e: Event) => e.preventDefault() },
  h('h2', { id: 'builder-h' }, 'Build a frame'),
  h(
    'fieldset',
    {},
    h('legend', {}, 'Secure association'),
    field('f-suite', 'Cipher suite', select('f-suite', CIPHER_SUITE_NAMES, (s) => s, (v) => update({ ...suiteChange(v) }))),
    field('f-key', 'SAK (hex)', textInput('f-key', (v) => update({ key: hexOf(v, 'SAK', CIPHER_SUITES[state.suite].keyLength) })), 'never on the wire'),
    field('f-sci', 'SCI (hex)', textInput('f-sci', (v) => update({ sci: hexOf(v, 'SCI', 8) })), 'system address ‖ port'),
    h(
      'div',
      { class: 'pair' },
      field('f-an', 'AN', select('f-an', ['0', '1', '2', '3'], (a) => a, (v) => update({ an: Number(v) }))),
      field('f-pn', 'PN', textInput('f-pn', (v) => update({ pn: pnText(v) }), { inputmode: 'numeric' })),
    ),
    h(
      'div',
      { class: 'pair xpn-only' },
      field('f-ssci', 'SSCI (XPN)', textInput('f-ssci', (v) => update({ ssci: hexOf(v, 'SSCI', 4) }))),
      field('f-salt', 'Salt (XPN)', textInput('f-salt', (v) => update({ salt: hexOf(v, 'salt', 12) }))),
    ),
  ),
  h(
    'fieldset',
    {},
    h('legend', {}, 'Transmitter'),
    check('f-conf', 'Confidentiality (E=1, C=1)', (v) => update({ conf: v })),
    field('f-offset', 'Confidentiality offset', select('f-offset', CONFIDENTIALITY_OFFSETS.map(String), (o) => `${o} octets in clear`, (v) => update({ offset: Number(v) as 0 | 30 | 50 }))),
    h(
      'div',
      { class: 'checks' },
      check('f-sc', 'SC: SCI in the SecTAG', (v) => update({ sc: v, ...(v ? { es: false, scb: false } : {}) })),
      check('f-es', 'ES: end station', (v) => update({ es: v, ...(v ? { sc: false } : {}) })),
      check('f-scb', 'SCB: single copy broadcast', (v) => update({ scb: v, ...(v ? { sc: false } : {}) })),
    ),
  ),
  h(
    'fieldset',
    {},
    h('legend', {}, 'Frame'),
    h(
      'div',
      { class: 'pair' },
      field('f-da', 'Destination (DA)', textInput('f-da', (v) => editFrame((f) => ({ ...f, da: hexOf(v, 'DA', 6) })))),
      field('f-sa', 'Source (SA)', textInput('f-sa', (v) => editFrame((f) => ({ ...f, sa: hexOf(v, 'SA', 6) })))),
    ),
    check('f-vlan', '802.1Q tag (inside the protected data)', (v) => editFrame((f) => ({ ...f, vlan: v ? { pcp: 0, vid: 1 } : undefined }))),
    h(
      'div',
      { class: 'pair vlan-only' },
      field('f-vid', 'VID', textInput('f-vid', (v) => editFrame((f) => ({ ...f, vlan: { pcp: f.vlan?.pcp ?? 0, vid: boundedInt(v, 'VID', 4094) } })), { inputmode: 'numeric' })),
      field('f-pcp', 'PCP', textInput('f-pcp', (v) => editFrame((f) => ({ ...f, vlan: { vid: f.vlan?.vid ?? 1, pcp: boundedInt(v, 'PCP', 7) } })), { inputmode: 'numeric' })),
    ),
    field('f-ethertype', 'EtherType (hex)', textInput('f-ethertype', (v) => editFrame((f) => ({ ...f, etherType: hexOf(v, 'EtherType', 2) })))),
    check('f-payload-hex', 'Payload as hex', (v) => {
      payloadAsHex = v;
      render();
    }),
    field('f-payload', 'Payload', h('textarea', { id: 'f-payload', rows: 3, spellcheck: 'false', 'aria-describedby': 'f-payload-hint f-payload-error' })),
    field('f-frame', 'Or paste a whole frame (hex, DA to payload, no FCS)', h('textarea', { id: 'f-frame', rows: 4, spellcheck: 'false', 'aria-describedby': 'f-frame-hint f-frame-error' }), 'the fields above are views of this'),
  ),
);

function boundedInt(v: string, name: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) > max) throw new Error(`${name}: 0 to ${max}`);
  return Number(v);
}

function suiteChange(suite: CipherSuiteName): Partial<State> {
  const next = CIPHER_SUITES[suite];
  const change: { suite: CipherSuiteName; key?: string; pn?: bigint } = { suite };
  if (fromHex(state.key).length !== next.keyLength) change.key = parseHash(`#suite=${suite}`).state.key;
  if (state.pn > next.maxPN) change.pn = parseHash(`#suite=${suite}`).state.pn;
  return { ...change, protected: undefined, lowest: undefined };
}

function wireTextarea(id: string, onValue: (v: string) => void): void {
  const el = builder.querySelector<HTMLTextAreaElement>(`#${id}`)!;
  el.addEventListener('input', () => {
    const err = document.getElementById(`${id}-error`)!;
    try {
      onValue(el.value.trim());
      el.removeAttribute('aria-invalid');
      err.textContent = '';
    } catch (e) {
      el.setAttribute('aria-invalid', 'true');
      err.textContent = e instanceof Error ? e.message : String(e);
    }
  });
}
wireTextarea('f-payload', (v) => editFrame((f) => ({ ...f, payload: payloadAsHex ? fromHex(v, 'payload') : textBytes(v) })));
wireTextarea('f-frame', (v) => {
  const frame = hexOf(v, 'frame');
  if (frame.length < 28) throw new Error('frame: at least 14 octets (DA, SA, EtherType)');
  update({ frame, protected: undefined });
});

function syncBuilder(): void {
  const set = (id: string, value: string): void => {
    const el = document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    if (el !== document.activeElement && !el.hasAttribute('aria-invalid')) el.value = value;
  };
  const tick = (id: string, on: boolean): void => {
    (document.getElementById(id) as HTMLInputElement).checked = on;
  };
  set('f-suite', state.suite);
  set('f-key', state.key);
  set('f-sci', state.sci);
  set('f-an', String(state.an));
  set('f-pn', String(state.pn));
  set('f-ssci', state.ssci);
  set('f-salt', state.salt);
  const xpn = CIPHER_SUITES[state.suite].xpn;
  for (const id of ['f-ssci', 'f-salt']) (document.getElementById(id) as HTMLInputElement).disabled = !xpn;
  builder.querySelector('.xpn-only')!.classList.toggle('off', !xpn);
  tick('f-conf', state.conf);
  set('f-offset', String(state.offset));
  (document.getElementById('f-offset') as HTMLSelectElement).disabled = !state.conf;
  tick('f-sc', state.sc);
  tick('f-es', state.es);
  tick('f-scb', state.scb);
  tick('f-payload-hex', payloadAsHex);
  const f = splitFrame(state.frame);
  if (f) {
    set('f-da', f.da);
    set('f-sa', f.sa);
    tick('f-vlan', f.vlan !== undefined);
    set('f-vid', String(f.vlan?.vid ?? ''));
    set('f-pcp', String(f.vlan?.pcp ?? ''));
    for (const id of ['f-vid', 'f-pcp']) (document.getElementById(id) as HTMLInputElement).disabled = f.vlan === undefined;
    set('f-ethertype', f.etherType);
    const text = payloadText(f.payload);
    if (text === undefined && !payloadAsHex) {
      payloadAsHex = true;
      tick('f-payload-hex', true);
    }
    set('f-payload', payloadAsHex ? toHex(f.payload) : (text ?? ''));
  }
  set('f-frame', state.frame);
}

// ---- the frame on the wire ----------------------------------------------------------------------------

const BAND_NAMES: Readonly<Record<Band, string>> = {
  addr: 'DA / SA',
  vlan: 'VLAN tag in clear',
  sectag: 'SecTAG',
  clear: 'user data in clear',
  enc: 'encrypted',
  icv: 'ICV',
  pad: 'padding',
  data: 'not MACsec',
};

function hexPane(m: Model): HTMLElement {
  const rows: HTMLElement[] = [];
  for (let r = 0; r < m.wire.length; r += 16) {
    const cells: HTMLElement[] = [];
    for (let i = r; i < Math.min(r + 16, m.wire.length); i++) {
      cells.push(h('span', { class: `b band-${m.bands[i]}${m.aad[i] ? ' aad' : ''}`, 'data-offset': i, id: `o${i}` }, m.wire[i]!.toString(16).padStart(2, '0')));
    }
    rows.push(h('div', { class: 'hexrow' }, h('span', { class: 'off', 'aria-hidden': 'true' }, r.toString(16).padStart(4, '0')), h('span', { class: 'octets' }, cells)));
  }
  const pane = h(
    'div',
    {
      class: 'hexpane',
      id: 'hexpane',
      'data-testid': 'hex-pane',
      role: 'region',
      tabindex: 0,
      'aria-label': 'The frame on the wire, one octet per cell: click an octet or use the arrow keys to select it',
      'aria-describedby': 'hex-status',
    },
    rows,
  );
  pane.addEventListener('click', (e) => {
    const t = (e.target as HTMLElement).closest<HTMLElement>('[data-offset]');
    if (t) selectOctet(Number(t.dataset['offset']));
  });
  pane.addEventListener('mouseover', (e) => {
    const t = (e.target as HTMLElement).closest<HTMLElement>('[data-offset]');
    setHover(t ? fieldAt(Number(t.dataset['offset']))?.path : undefined);
  });
  pane.addEventListener('mouseleave', () => setHover(undefined));
  pane.addEventListener('keydown', (e) => {
    const at = state.select ?? -1;
    const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 16, ArrowUp: -16 };
    let next: number | undefined;
    if (e.key in step) next = Math.min(m.wire.length - 1, Math.max(0, at + step[e.key]!));
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = m.wire.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    selectOctet(next);
  });
  return pane;
}

function selectOctet(offset: number): void {
  selectedPath = fieldAt(offset)?.path;
  update({ select: offset }, true);
}

function legend(m: Model): HTMLElement {
  const present = new Set(m.bands);
  const items = (Object.keys(BAND_NAMES) as Band[]).filter((b) => present.has(b)).map((b) => h('li', {}, h('span', { class: `swatch band-${b}`, 'aria-hidden': 'true' }), BAND_NAMES[b]));
  items.push(h('li', {}, h('span', { class: 'swatch aad-swatch', 'aria-hidden': 'true' }), 'AAD: authenticated, not encrypted'));
  return h('ul', { class: 'legend', 'aria-label': 'Colour key' }, items);
}

/** What the frame depends on but never carries. */
function offWire(): HTMLElement {
  const xpn = CIPHER_SUITES[state.suite].xpn;
  const chip = (name: string, value: string, why: string): HTMLElement => h('li', { class: 'chip' }, h('span', { class: 'chip-name' }, name), h('code', {}, value), h('span', { class: 'chip-why' }, why));
  return h(
    'div',
    { class: 'offwire' },
    h('h3', {}, 'Never on the wire'),
    h(
      'ul',
      {},
      chip('SAK', spaced(state.key), 'the key: distributed by MKA, wrapped'),
      xpn ? chip('Salt', spaced(state.salt), 'XORed into the IV (14.7)') : null,
      xpn ? chip('SSCI', state.ssci, 'short SCI, replaces the SCI in the IV') : null,
      xpn ? chip('PN, upper 32 bits', (state.pn >> 32n).toString(16).padStart(8, '0'), 'the receiver recovers it from lowestPN (10.6.2)') : null,
    ),
  );
}

// ---- the field tree (WAI-ARIA treeview) -------------------------------------------------------------

function treeView(nodes: readonly ExplainNode[]): HTMLElement {
  const visible: string[] = [];
  const item = (node: ExplainNode, path: string, level: number, index: number, count: number): HTMLElement => {
    visible.push(path);
    const hasKids = (node.children?.length ?? 0) > 0;
    const open = hasKids && !collapsed.has(path);
    const e = byPath.get(path)!;
    const mark = node.status === 'ok' ? '✓' : node.status === 'bad' ? '✗' : node.status === 'warn' ? '!' : '';
    const markName = node.status === 'ok' ? 'verifies: ' : node.status === 'bad' ? 'fails: ' : node.status === 'warn' ? 'warning: ' : '';
    const li = h(
      'li',
      {
        role: 'treeitem',
        id: `t-${path}`,
        'data-path': path,
        'aria-level': level,
        'aria-setsize': count,
        'aria-posinset': index + 1,
        'aria-selected': 'false',
        'aria-expanded': hasKids ? String(open) : undefined,
        tabindex: -1,
      },
      h(
        'div',
        { class: `node${node.status ? ` st-${node.status}` : ''}` },
        mark ? h('span', { class: 'mark', 'aria-hidden': 'true' }, mark) : null,
        markName ? h('span', { class: 'sr' }, markName) : null,
        h('span', { class: 'label' }, node.label),
        node.value !== undefined ? h('span', { class: 'value' }, node.value) : null,
        e.own ? h('span', { class: 'where' }, `[${node.offset}${node.length !== undefined ? `+${node.length}` : ''}]`) : null,
        node.note ? h('span', { class: 'note' }, node.note) : null,
      ),
    );
    if (open) {
      li.append(h('ul', { role: 'group' }, node.children!.map((c, i) => item(c, `${path}-${i}`, level + 1, i, node.children!.length))));
    }
    return li;
  };
  const tree = h('ul', { role: 'tree', 'data-testid': 'field-tree', 'aria-label': 'Fields of the frame, as macsec explain shows them', class: 'tree' }, nodes.map((n, i) => item(n, `n${i}`, 1, i, nodes.length)));
  const focusable = selectedPath && visible.includes(selectedPath) ? selectedPath : visible[0];
  if (focusable) tree.querySelector(`#t-${focusable}`)?.setAttribute('tabindex', '0');
  tree.addEventListener('click', (ev) => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
    if (li) choosePath(li.dataset['path']!, true);
  });
  tree.addEventListener('mouseover', (ev) => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
    setHover(li?.dataset['path']);
  });
  tree.addEventListener('mouseleave', () => setHover(undefined));
  tree.addEventListener('keydown', (ev) => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
    if (!li) return;
    const path = li.dataset['path']!;
    const at = visible.indexOf(path);
    const e = byPath.get(path)!;
    const hasKids = (e.node.children?.length ?? 0) > 0;
    const go = (p: string | undefined): void => {
      if (p === undefined) return;
      choosePath(p, false);
    };
    switch (ev.key) {
      case 'ArrowDown':
        go(visible[at + 1]);
        break;
      case 'ArrowUp':
        go(visible[at - 1]);
        break;
      case 'Home':
        go(visible[0]);
        break;
      case 'End':
        go(visible[visible.length - 1]);
        break;
      case 'ArrowRight':
        if (hasKids && collapsed.has(path)) {
          collapsed.delete(path);
          render();
        } else if (hasKids) go(`${path}-0`);
        break;
      case 'ArrowLeft':
        if (hasKids && !collapsed.has(path)) {
          collapsed.add(path);
          render();
        } else go(e.parent);
        break;
      case 'Enter':
      case ' ':
        if (hasKids) {
          if (collapsed.has(path)) collapsed.delete(path);
          else collapsed.add(path);
          render();
        }
        break;
      default:
        return;
    }
    ev.preventDefault();
  });
  return tree;
}

function choosePath(path: string, toggle: boolean): void {
  const e = byPath.get(path);
  if (!e) return;
  if (toggle && selectedPath === path && (e.node.children?.length ?? 0) > 0) {
    if (collapsed.has(path)) collapsed.delete(path);
    else collapsed.add(path);
  }
  selectedPath = path;
  focusAfterRender = `t-${path}`;
  update({ select: e.from >= 0 ? e.from : undefined }, true);
}

// ---- highlights: one place marks the three views ----------------------------------------------------

function setHover(path: string | undefined): void {
  if (path === hoverPath) return;
  hoverPath = path;
  paintHighlights();
}

function paintHighlights(): void {
  const sel = selectedPath ? byPath.get(selectedPath) : undefined;
  const hov = hoverPath ? byPath.get(hoverPath) : undefined;
  for (const el of main.querySelectorAll<HTMLElement>('[data-offset]')) {
    const o = Number(el.dataset['offset']);
    const inHover = hov !== undefined && o >= hov.from && o < hov.to;
    const inSel = sel !== undefined && o >= sel.from && o < sel.to;
    if (inHover || inSel) el.setAttribute('data-highlight', inHover ? 'hover' : 'select');
    else el.removeAttribute('data-highlight');
    el.classList.toggle('sel-octet', o === state.select);
  }
  for (const li of main.querySelectorAll<HTMLElement>('[role=treeitem]')) {
    const p = li.dataset['path'];
    li.setAttribute('aria-selected', String(p === selectedPath));
    if (p === hoverPath) li.setAttribute('data-highlight', 'hover');
    else li.removeAttribute('data-highlight');
  }
  for (const b of main.querySelectorAll<HTMLElement>('[data-tci-path]')) {
    const p = b.dataset['tciPath']!;
    b.toggleAttribute('data-highlight', p === hoverPath || p === selectedPath || (hov?.node.label === 'TCI/AN' && hov.path === byPath.get(p)?.parent));
  }
}

// ---- TCI table ----------------------------------------------------------------------------------------

function tciTable(m: Model): HTMLElement | null {
  if (!m.layout) return null;
  const octet = m.wire[m.layout.secTagOffset + 2]!;
  const tci = entries.find((e) => e.node.label === 'TCI/AN');
  const bits: [string, number, number, string][] = [
    ['V', 0x80, 0, 'version: always 0'],
    ['ES', 0x40, 1, 'end station: SCI = SA ‖ port 1'],
    ['SC', 0x20, 2, 'SCI present in the SecTAG'],
    ['SCB', 0x10, 3, 'EPON single copy broadcast'],
    ['E', 0x08, 4, 'encrypted'],
    ['C', 0x04, 5, 'changed text'],
  ];
  const cell = (name: string, value: string, child: number, span: number, title: string): HTMLElement => {
    const path = tci ? `${tci.path}-${child}` : '';
    const b = h('button', { type: 'button', class: 'bit', 'data-tci-path': path, 'aria-label': `${name} = ${value}: ${title}` }, h('span', { class: 'bit-name' }, name), h('span', { class: 'bit-value' }, value));
    b.addEventListener('click', () => path && choosePath(path, false));
    b.addEventListener('mouseenter', () => setHover(path || undefined));
    b.addEventListener('mouseleave', () => setHover(undefined));
    b.id = `tci-${name}`;
    return h('td', { colspan: span }, b);
  };
  return h(
    'figure',
    { class: 'tci' },
    h('figcaption', {}, `TCI/AN octet 0x${octet.toString(16).padStart(2, '0')} at offset ${m.layout.secTagOffset + 2} (9.5, 9.6)`),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, [7, 6, 5, 4, 3, 2, 1, 0].map((b) => h('th', { scope: 'col' }, `bit ${b}`)))),
      h('tbody', {}, h('tr', {}, bits.map(([n, mask, child, title]) => cell(n, octet & mask ? '1' : '0', child, 1, title)), cell('AN', String(octet & 3), 6, 2, 'association number: which of four keys'))),
    ),
  );
}

// ---- GCM step-through ---------------------------------------------------------------------------------

const STEP_TITLES: Readonly<Record<TraceStep, string>> = {
  h: 'Hash subkey H',
  iv: 'The IV and its sources',
  j0: 'J0, the first counter block',
  ctr: 'Counter blocks and keystream',
  ghash: 'GHASH over AAD, ciphertext, lengths',
  tag: 'The tag becomes the ICV',
};

const ACCESSOR: Readonly<Record<TraceStep, string>> = { h: '.h', iv: '.iv, .ivSources', j0: '.j0', ctr: '.counters', ghash: '.ghash', tag: '.s, .ekj0, .tag' };

function saFileJson(): string {
  const suite = CIPHER_SUITES[state.suite];
  const doc: Record<string, unknown> = {
    cipherSuite: state.suite,
    key: state.key,
    sci: state.sci,
    an: state.an,
    pn: String(model.lowest),
    ...(suite.xpn ? { ssci: state.ssci, salt: state.salt } : {}),
    confidentiality: state.conf,
    confidentialityOffset: state.offset,
  };
  return JSON.stringify(doc, null, 2);
}

function traceCall(): string {
  const suite = CIPHER_SUITES[state.suite];
  const xpn = suite.xpn ? `, ssci: fromHex('${state.ssci}'), salt: fromHex('${state.salt}')` : '';
  const input =
    state.protected === undefined
      ? `{ unprotected: fromHex('${state.frame}'),\n    options: { an: ${state.an}, pn: ${state.pn}n, sci: fromHex('${state.sci}'), includeSci: ${state.sc}, endStation: ${state.es}, scb: ${state.scb}, confidentiality: ${state.conf}, confidentialityOffset: ${state.offset} } }`
      : `{ received: fromHex('${toHex(model.wire)}'),\n    sci: fromHex('${state.sci}'), pn: ${model.lowest}n, confidentialityOffset: ${state.offset} }`;
  return `import { CIPHER_SUITES, gcmTrace } from 'macsec-sim/crypto';\nimport { fromHex } from 'macsec-sim/wire';\n\nconst key = { suite: CIPHER_SUITES['${state.suite}'], key: fromHex('${state.key}')${xpn} };\nconst trace = gcmTrace(key, ${input});`;
}

const bytes = (b: Uint8Array, cls = ''): HTMLElement => h('code', { class: `hexv ${cls}` }, spaced(toHex(b)));

function stepBody(step: TraceStep, t: GcmTrace): (HTMLElement | null)[] {
  const xpn = t.ivSources[0]?.salt !== undefined;
  switch (step) {
    case 'h':
      return [
        h('p', {}, 'GCM encrypts one all-zero block with the SAK. The result, H, is the multiplier of GHASH: every 16-octet block of AAD and ciphertext is folded in and multiplied by H.'),
        h('p', { class: 'eq' }, h('span', {}, 'H = E', h('sub', {}, 'K'), '(0', h('sup', {}, '128'), ') = '), bytes(t.h)),
      ];
    case 'iv': {
      const octets = Array.from(t.iv, (v, i) => {
        const s = t.ivSources[i]!;
        return h('span', { class: `ivo src-${s.from.toLowerCase()}`, title: `${s.from}[${s.index}]${s.salt !== undefined ? ` XOR salt ${s.salt.toString(16).padStart(2, '0')}` : ''}` }, v.toString(16).padStart(2, '0'));
      });
      return [
        h('p', {}, xpn ? 'With XPN the IV is the 32-bit SSCI and the full 64-bit PN, XORed with the 96-bit salt (14.7): neither the salt nor the upper PN half is on the wire.' : 'For GCM-AES-128/256 the IV is the SCI followed by the 32-bit PN (14.5): a PN must never repeat under one key, or the keystream repeats.'),
        h('p', { class: 'eq' }, h('span', {}, `IV = ${ivSourceText(t)} = `), h('code', { class: 'hexv iv' }, octets)),
        h('ul', { class: 'legend' }, xpn ? [h('li', {}, h('span', { class: 'swatch src-ssci' }), 'from the SSCI (XOR salt)'), h('li', {}, h('span', { class: 'swatch src-pn' }), 'from the 64-bit PN (XOR salt)')] : [h('li', {}, h('span', { class: 'swatch src-sci' }), 'from the SCI'), h('li', {}, h('span', { class: 'swatch src-pn' }), 'from the PN in the SecTAG')]),
      ];
    }
    case 'j0':
      return [h('p', {}, 'With a 96-bit IV, the pre-counter block J0 is the IV followed by a 32-bit 1. E_K(J0) masks the GHASH result at the end; the data uses counters 2, 3, ...'), h('p', { class: 'eq' }, h('span', {}, 'J0 = IV ‖ 00000001 = '), bytes(t.j0)), h('p', { class: 'eq' }, h('span', {}, 'E_K(J0) = '), bytes(t.ekj0))];
    case 'ctr':
      if (t.counters.length === 0) return [h('p', {}, 'Integrity only (E=0): nothing is encrypted, so no counter blocks are used. The whole user data is AAD.')];
      return [
        h('p', {}, 'Each counter block IV ‖ i is encrypted with the SAK; the keystream is XORed onto the plaintext. The receiver does the same XOR to decrypt.'),
        h(
          'div',
          { class: 'scroll', role: 'region', 'aria-label': 'Counter blocks', tabindex: 0 },
          h(
            'table',
            { class: 'data' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'counter block'), h('th', { scope: 'col' }, 'keystream E_K(counter)'), h('th', { scope: 'col' }, 'plaintext'), h('th', { scope: 'col' }, 'ciphertext'))),
            h('tbody', {}, t.counters.map((c) => h('tr', {}, h('td', {}, bytes(c.counter)), h('td', {}, bytes(c.keystream)), h('td', {}, bytes(c.plaintext)), h('td', {}, bytes(c.ciphertext))))),
          ),
        ),
      ];
    case 'ghash':
      return [
        h('p', {}, `GHASH folds ${t.aad.length} octets of AAD, ${t.ciphertext.length} of ciphertext (each zero-padded to 16) and one length block: Y = (Y XOR X) · H in GF(2^128).`),
        h(
          'div',
          { class: 'scroll', role: 'region', 'aria-label': 'GHASH steps', tabindex: 0 },
          h(
            'table',
            { class: 'data' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'block from'), h('th', { scope: 'col' }, 'X'), h('th', { scope: 'col' }, 'Y'))),
            h('tbody', {}, t.ghash.map((s, i) => h('tr', { class: `gh-${s.part === 'AAD' ? 'aad' : s.part === 'ciphertext' ? 'ct' : 'len'}` }, h('td', {}, String(i + 1)), h('td', {}, s.part), h('td', {}, bytes(s.block)), h('td', {}, bytes(s.y))))),
          ),
        ),
      ];
    case 'tag':
      return [
        h('p', {}, 'The last GHASH value S is masked with E_K(J0). The 16-octet result is the ICV that follows the secure data on the wire.'),
        h('p', { class: 'eq' }, h('span', {}, 'S = '), bytes(t.s)),
        h('p', { class: 'eq' }, h('span', {}, 'tag = S XOR E_K(J0) = '), bytes(t.tag, 'band-icv')),
        t.receivedIcv ? h('p', { class: `eq ${t.verified ? 'ok' : 'bad'}` }, h('span', {}, 'ICV in the frame = '), bytes(t.receivedIcv), t.verified ? ' — equal: verifies' : ' — differs: the receiver drops the frame') : null,
      ];
  }
}

function stepsView(m: Model): HTMLElement {
  const t = m.trace;
  const current = state.step;
  const at = current ? TRACE_STEPS.indexOf(current) : -1;
  const nav = h(
    'div',
    { class: 'stepnav' },
    h('button', { type: 'button', id: 'step-back', disabled: at <= 0, onclick: () => update({ step: TRACE_STEPS[at - 1] }, true) }, '← Back'),
    h(
      'ol',
      { class: 'steplist' },
      TRACE_STEPS.map((s, i) => h('li', {}, h('button', { type: 'button', id: `step-${s}`, 'aria-current': s === current ? 'step' : undefined, onclick: () => update({ step: s }, true) }, h('span', { class: 'num' }, String(i + 1)), ` ${s}`))),
    ),
    h('button', { type: 'button', id: 'step-next', disabled: at >= TRACE_STEPS.length - 1, onclick: () => update({ step: TRACE_STEPS[at + 1] }, true) }, at < 0 ? 'Start →' : 'Next →'),
  );
  const cmd = `macsec explain ${toHex(m.wire)} --sa sa.json --steps`;
  const panels = t
    ? TRACE_STEPS.map((s, i) =>
        h(
          'section',
          { class: `step-panel${s === current ? ' current' : ''}`, 'aria-labelledby': `sp-${s}` },
          h('h3', { id: `sp-${s}` }, `${i + 1}. ${STEP_TITLES[s]}`),
          stepBody(s, t),
          h('p', { class: 'repro' }, h('span', {}, 'Reproduce: '), h('code', {}, `trace${ACCESSOR[s]}`), h('span', {}, ' or '), h('code', { class: 'cmd' }, cmd)),
        ),
      )
    : [h('p', { class: 'note' }, `No GCM trace: ${m.traceError ?? m.protectError ?? 'the frame is not MACsec'}`)];
  return h(
    'section',
    { class: 'card gcm', 'aria-labelledby': 'gcm-h' },
    h('h2', { id: 'gcm-h' }, 'GCM, step by step'),
    nav,
    current === undefined ? h('p', { class: 'note screen-only' }, 'Six steps turn the SAK, the IV and the frame into the ICV. Press Start, or pick a step.') : null,
    panels,
    h('details', { class: 'repro-setup' }, h('summary', {}, 'The code and the SA file behind these values'), h('pre', {}, h('code', {}, traceCall())), h('p', {}, 'sa.json for ', h('code', {}, 'macsec explain … --steps'), ':'), h('pre', {}, h('code', {}, saFileJson()))),
  );
}

// ---- receiver -------------------------------------------------------------------------------------------

const COUNTERS = ['InPktsOK', 'InPktsNotValid', 'InPktsLate', 'InPktsNoSCI', 'InPktsNotUsingSA', 'InPktsBadTag', 'InPktsNoTag', 'InPktsInvalid', 'InPktsUnchecked', 'InPktsDelayed', 'InPktsUnknownSCI', 'InPktsUnusedSA'];

const receiverControls = h(
  'div',
  { class: 'controls' },
  field('r-validate', 'validateFrames', select('r-validate', VALIDATE_FRAMES, (v) => v, (v) => update({ validate: v as ValidateFrames }, true))),
  check('r-replay', 'replayProtect', (v) => update({ replayProtect: v }, true)),
  field('r-window', 'replayWindow', textInput('r-window', (v) => update({ window: boundedInt(v, 'replayWindow', CIPHER_SUITES[state.suite].xpn ? 2 ** 30 - 1 : 2 ** 32 - 1) }, true), { inputmode: 'numeric' })),
  field('r-lowest', 'lowestPN', textInput('r-lowest', (v) => update({ lowest: v === '' ? undefined : pnBound(v) }, true), { inputmode: 'numeric' }), 'empty: the frame’s own PN'),
);

function pnBound(v: string): bigint {
  if (!/^\d{1,20}$/.test(v) || BigInt(v) > CIPHER_SUITES[state.suite].maxPN) throw new Error(`lowestPN: 0 to ${CIPHER_SUITES[state.suite].maxPN}`);
  return BigInt(v);
}

const BREAK_LABELS: Readonly<Record<Breaking, string>> = { replay: 'Replay it (receive twice)', an: 'Wrong AN at the receiver', key: 'Wrong key at the receiver' };

const editControls = h(
  'fieldset',
  { class: 'edits' },
  h('legend', {}, 'Break it'),
  h(
    'div',
    { class: 'flip-row' },
    field('r-bit', 'Bit', select('r-bit', ['0', '1', '2', '3', '4', '5', '6', '7'], (b) => `bit ${b}${b === '0' ? ' (lowest)' : b === '7' ? ' (highest)' : ''}`, (v) => update({ bit: Number(v) }, true))),
    h('button', { type: 'button', id: 'r-flip', 'data-testid': 'flip', onclick: () => flip() }, 'Flip that bit of the selected octet'),
  ),
  h('div', { class: 'checks' }, BREAKINGS.map((b) => check(`r-break-${b}`, BREAK_LABELS[b], (v) => update({ break: v ? b : undefined }, true)))),
  h('button', { type: 'button', id: 'r-reset', onclick: () => update({ protected: undefined, break: undefined, lowest: undefined }) }, 'Undo the edits'),
  h('p', { id: 'flip-hint', class: 'hint' }),
);

function flip(): void {
  if (state.select === undefined || state.select >= model.wire.length) {
    document.getElementById('flip-hint')!.textContent = 'Select an octet first: click it in the frame, or use the arrow keys there.';
    return;
  }
  const wire = model.wire.slice();
  wire[state.select]! ^= 1 << state.bit;
  // The receiver keeps its lowestPN: the frame's own PN, as before the edit.
  update({ protected: toHex(wire), lowest: state.lowest ?? model.lowest }, true);
}

const predictControl = check('r-predict', 'Predict the counter before it is revealed', (v) => update({ predict: v }, true));

function receiverView(m: Model): HTMLElement {
  const o = m.outcome;
  const hide = state.predict && !revealed;
  let verdict: HTMLElement;
  if (!o) verdict = h('p', { class: 'note' }, m.receiveError ?? 'Nothing to receive.');
  else if (hide) {
    const choice = select('r-guess', ['', ...COUNTERS], (c) => c || 'choose a counter…', (v) => (prediction = v));
    choice.value = prediction;
    verdict = h('div', { class: 'predict' }, field('r-guess', 'Which counter will this frame land in?', choice), h('button', { type: 'button', id: 'r-reveal', onclick: () => ((revealed = true), render()) }, 'Reveal'));
  } else {
    const kind = o.kind === 'controlled' ? 'delivered to the Controlled Port' : o.kind === 'uncontrolled' ? 'to the Uncontrolled Port only' : 'dropped';
    verdict = h(
      'div',
      { class: `verdict ${o.kind}` },
      h('p', {}, 'The frame lands in ', h('strong', { 'data-testid': 'verdict' }, o.counter), `: ${kind}.`),
      state.predict && prediction ? h('p', { class: prediction === o.counter ? 'ok' : 'bad' }, prediction === o.counter ? `You predicted ${prediction}: right.` : `You predicted ${prediction}.`) : null,
      o.kind === 'dropped' ? h('p', { class: 'reason' }, o.reason) : null,
      m.after ? h('p', { class: 'after' }, `Receive SA after it: nextPN ${m.after.nextPN}, lowestPN ${m.after.lowestPN}.`) : null,
    );
  }
  const steps = hide
    ? null
    : h(
        'ol',
        { class: 'walk' },
        m.walk.map((s) =>
          h(
            'li',
            { class: `w-${s.result.replace(' ', '-')}` },
            h('span', { class: 'badge' }, s.result),
            h('span', { class: 'wtitle' }, s.title),
            h('span', { class: 'clause' }, s.clause),
            h('span', { class: 'wdetail' }, s.detail),
            s.counter ? h('span', { class: 'counter' }, s.counter) : null,
          ),
        ),
      );
  return h('div', { class: 'receiver-out' }, verdict, steps);
}

// ---- layout and render --------------------------------------------------------------------------------

const problemsBox = h('div', { class: 'problems', id: 'problems' });
const wireBox = h('div', {});
const treeBox = h('div', { class: 'treebox' });
const tciBox = h('div', {});
const stepsBox = h('div', {});
const receiverBox = h('div', {});
const modeBox = h('div', { class: 'mode' });

main.append(
  modeBox,
  problemsBox,
  h(
    'div',
    { class: 'grid' },
    builder,
    h(
      'div',
      { class: 'stack' },
      h('section', { class: 'card wire', 'aria-labelledby': 'wire-h' }, h('h2', { id: 'wire-h' }, 'On the wire'), wireBox),
      h('section', { class: 'card fields', 'aria-labelledby': 'fields-h' }, h('h2', { id: 'fields-h' }, 'Fields'), h('div', { class: 'fieldgrid' }, treeBox, tciBox)),
    ),
  ),
  stepsBox,
  h('section', { class: 'card receiver', 'aria-labelledby': 'rx-h' }, h('h2', { id: 'rx-h' }, 'The receiver (802.1AE 10.6)'), h('div', { class: 'rxgrid' }, h('div', {}, receiverControls, predictControl, editControls), receiverBox)),
);

let focusAfterRender: string | undefined;

function render(): void {
  const active = focusAfterRender ?? (document.activeElement instanceof HTMLElement && main.contains(document.activeElement) ? document.activeElement.id : '');
  focusAfterRender = undefined;
  model = compute(state);
  indexTree(model.tree);
  if (selectedPath === undefined && state.select !== undefined) selectedPath = fieldAt(state.select)?.path;
  if (selectedPath !== undefined && !byPath.has(selectedPath)) selectedPath = undefined;
  if (hoverPath !== undefined && !byPath.has(hoverPath)) hoverPath = undefined;
  // Open the selected node's ancestors so it is visible.
  for (let p = selectedPath ? byPath.get(selectedPath)?.parent : undefined; p; p = byPath.get(p)?.parent) collapsed.delete(p);

  syncBuilder();
  (document.getElementById('r-validate') as HTMLSelectElement).value = state.validate;
  (document.getElementById('r-replay') as HTMLInputElement).checked = state.replayProtect;
  const win = document.getElementById('r-window') as HTMLInputElement;
  if (win !== document.activeElement) win.value = String(state.window);
  const low = document.getElementById('r-lowest') as HTMLInputElement;
  if (low !== document.activeElement) low.value = state.lowest === undefined ? '' : String(state.lowest);
  (document.getElementById('r-bit') as HTMLSelectElement).value = String(state.bit);
  for (const b of BREAKINGS) (document.getElementById(`r-break-${b}`) as HTMLInputElement).checked = state.break === b;
  (document.getElementById('r-predict') as HTMLInputElement).checked = state.predict;
  document.getElementById('flip-hint')!.textContent = state.select === undefined ? 'Select an octet in the frame to flip one of its bits.' : `Selected: octet ${state.select}.`;

  modeBox.replaceChildren(
    state.protected === undefined
      ? h('p', {}, h('b', {}, 'Transmitting: '), 'the frame below is the one you build, protected with the SA on the left.')
      : h('p', {}, h('b', {}, 'Receiving: '), 'the frame below is a given protected frame (from the link, or your edits); the builder still holds the receiver’s keys. ', h('button', { type: 'button', id: 'back-to-builder', onclick: () => update({ protected: undefined, lowest: undefined }) }, 'Back to the built frame')),
  );
  problemsBox.replaceChildren(...(problems.length > 0 ? [h('div', { role: 'alert', class: 'alert' }, h('p', {}, 'Some parameters in the link could not be used; their defaults are shown:'), h('ul', {}, problems.map((p) => h('li', {}, h('code', {}, p.name), `: ${p.message}`))))] : []));

  const m = model;
  const icv = m.layout ? toHex(m.wire.subarray(m.layout.icvOffset, m.layout.icvOffset + 16)) : '';
  wireBox.replaceChildren(
    m.protectError && state.protected === undefined ? h('p', { class: 'alert', role: 'alert' }, `Cannot protect this frame: ${m.protectError}`) : h('span'),
    legend(m),
    hexPane(m),
    h('p', { id: 'hex-status', class: 'hint' }, state.select !== undefined && state.select < m.wire.length ? `Octet ${state.select} selected: ${byPath.get(selectedPath ?? '')?.node.label ?? ''}.` : `${m.wire.length} octets. Hover an octet to see its field.`),
    h(
      'dl',
      { class: 'outputs' },
      h('dt', {}, 'Protected frame'),
      h('dd', {}, h('code', { class: 'wrap', 'data-testid': 'protected-frame' }, toHex(m.wire))),
      h('dt', {}, 'ICV'),
      h('dd', {}, h('code', { class: 'wrap', 'data-testid': 'icv' }, icv)),
    ),
    offWire(),
  );
  treeBox.replaceChildren(treeView(m.tree));
  tciBox.replaceChildren(tciTable(m) ?? h('p', { class: 'note' }, 'No SecTAG, no TCI.'));
  stepsBox.replaceChildren(stepsView(m));
  receiverBox.replaceChildren(receiverView(m));
  paintHighlights();
  if (active) document.getElementById(active)?.focus({ preventScroll: true });
}

window.addEventListener('hashchange', load);
load();
