/**
 * simulate's optional observer (`onEvent`, the link lab's timeline): it changes nothing in the run, it sees
 * every frame the result counts, its snapshots end where the result's counters end, and the keys it reports
 * for transmit SAs are the keys the frames were protected under.
 */
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../src/link/builtin.js';
import { PORT_MAC, simulate, type SimEvent } from '../../src/link/simulate.js';
import { SecY } from '../../src/secy/secy.js';
import { makeSci } from '../../src/wire/sci.js';

const scenario = builtinScenario;

function observed(name: string): { events: SimEvent[]; result: ReturnType<typeof simulate> } {
  const events: SimEvent[] = [];
  const result = simulate(scenario(name), { onEvent: (e) => events.push(e) });
  return { events, result };
}

describe('simulate onEvent', () => {
  for (const name of ['replay', 'mka-handshake']) {
    it(`${name}: the run is the same with and without it (counters, actors, every captured frame)`, () => {
      const { result } = observed(name);
      const plain = simulate(scenario(name));
      expect(result.counters).toEqual(plain.counters);
      expect(result.actors).toEqual(plain.actors);
      expect(result.captures).toEqual(plain.captures);
    });
  }

  it('sees every frame sent and arrived that the result counts, and ends on the result\'s counters', () => {
    const { events, result } = observed('replay');
    const d = result.directions['a->b'];
    expect(events.filter((e) => e.kind === 'sent' && e.from === 'a').length).toBe(d.sent);
    expect(events.filter((e) => e.kind === 'arrived' && e.from === 'a').length).toBe(d.arrived);
    const late = events.filter((e) => e.kind === 'arrived' && e.outcome === 'InPktsLate');
    expect(late.length).toBe(result.counters.b.InPktsLate);
    expect(late.every((e) => e.kind === 'arrived' && e.madeBy === 'replay')).toBe(true);
    expect(events.at(-1)!.ports.b.counters).toEqual(result.counters.b);
    expect(events.every((e, i) => i === 0 || e.atPs >= events[i - 1]!.atPs)).toBe(true);
  });

  it('reports each transmit SA with the key its frames were protected under (static SAs and MKA alike)', () => {
    for (const name of ['rollover', 'mka-rekey']) {
      const { events } = observed(name);
      const suite = scenario(name).secy.cipherSuite;
      const keys = new Map<string, Extract<SimEvent, { kind: 'sa' }>>();
      let checked = 0;
      const keysChecked = new Set<Extract<SimEvent, { kind: 'sa' }>>();
      for (const e of events) {
        if (e.kind === 'sa' && e.op === 'transmit SA created') keys.set(`${e.side}:${e.an}`, e);
        if (e.kind !== 'arrived' || e.mkpdu || e.outcome !== 'InPktsOK') continue;
        const an = e.bytes[14]! & 3;
        const k = keys.get(`${e.from}:${an}`)!;
        if (checked >= 20 && keysChecked.has(k)) continue;
        keysChecked.add(k);
        // A receiver of our own that knows only the reported key accepts the frame.
        const rx = new SecY({ sci: makeSci(PORT_MAC[e.from === 'a' ? 'b' : 'a'], 1), cipherSuite: suite, replayWindow: 0xffff });
        rx.createReceiveSC(makeSci(PORT_MAC[e.from], 1));
        rx.createReceiveSA(makeSci(PORT_MAC[e.from], 1), { an, sak: k.sak!, nextPN: 1n, enable: true, ...(k.ssci ? { ssci: k.ssci, salt: k.salt } : {}) });
        expect(rx.receive(e.bytes).kind, `${name} frame ${e.id}`).toBe('controlled');
        rx.destroy();
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(20);
      expect([...keysChecked].some((k) => k.an !== 0), `${name}: a key after a rollover`).toBe(true);
      expect(events.some((e) => e.kind === 'sa' && e.op === 'transmit SA deleted')).toBe(true);
    }
  });
});
