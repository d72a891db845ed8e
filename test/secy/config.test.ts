import { afterEach, describe, expect, it, vi } from 'vitest';
import { SaContext } from '../../src/crypto/sa.js';
import { SecY } from '../../src/secy/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { SALT, SCI_A, SCI_B, SSCI_A, delivered, ethFrame, key, pair, sent } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const secy = (): SecY => new SecY({ sci: SCI_A });

describe('configuration errors are ConfigErrors naming the field', () => {
  const cases: [string, () => unknown, string][] = [
    ['sci of 7 octets', () => new SecY({ sci: new Uint8Array(7) }), 'sci'],
    ['sci not hex', () => new SecY({ sci: 'zz' }), 'sci'],
    ['unknown cipher suite', () => new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-512' as never }), 'cipherSuite'],
    ['unknown backend', () => new SecY({ sci: SCI_A, backend: 'wasm' as never }), 'backend'],
    ['validateFrames', () => new SecY({ sci: SCI_A, validateFrames: 'strict' as never }), 'validateFrames'],
    ['replayWindow negative', () => new SecY({ sci: SCI_A, replayWindow: -1 }), 'replayWindow'],
    ['confidentialityOffset', () => new SecY({ sci: SCI_A, confidentialityOffset: 20 as never }), 'confidentialityOffset'],
    ['maxFrameSize', () => new SecY({ sci: SCI_A, maxFrameSize: 10 }), 'maxFrameSize'],
    ['clearTags', () => new SecY({ sci: SCI_A, clearTags: 3 as never }), 'clearTags'],
    ['rekeyThreshold', () => new SecY({ sci: SCI_A, rekeyThreshold: 2n ** 32n }), 'rekeyThreshold'],
    ['receiveCapacity', () => new SecY({ sci: SCI_A, receiveCapacity: -1 }), 'receiveCapacity'],
    ['unknown control', () => secy().setControls({ replayWindows: 3 } as never), 'replayWindows'],
    ['AN 4', () => secy().createTransmitSA({ an: 4, sak: key('GCM-AES-128', 1) }), 'an'],
    ['SAK of the wrong length', () => secy().createTransmitSA({ an: 0, sak: new Uint8Array(32) }), 'key'],
    ['nextPN 0', () => secy().createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), nextPN: 0n }), 'nextPN'],
    ['nextPN beyond 2^32 - 1', () => secy().createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), nextPN: 2n ** 32n }), 'nextPN'],
    ['XPN SA without salt', () => new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-XPN-128' }).createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), ssci: SSCI_A }), 'salt'],
    ['salt for a plain suite', () => secy().createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), ssci: SSCI_A, salt: SALT }), 'ssci'],
    ['receive SA without its SC', () => secy().createReceiveSA(SCI_B, { an: 0, sak: key('GCM-AES-128', 1) }), 'sci'],
    ['no such transmit SA', () => secy().enableTransmitSA(2), 'an'],
    ['no such receive SA', () => { const s = secy(); s.createReceiveSC(SCI_B); s.getReceiveNextPN(SCI_B, 1); }, 'an'],
    ['duplicate receive SC', () => { const s = secy(); s.createReceiveSC(SCI_B); s.createReceiveSC('02:00:00:00:00:0b:00:01'); }, 'sci'],
    ['duplicate transmit AN', () => { const s = secy(); s.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 1) }); s.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 2) }); }, 'an'],
    ['receive confidentialityOffset', () => { const s = secy(); s.createReceiveSC(SCI_B); s.createReceiveSA(SCI_B, { an: 0, sak: key('GCM-AES-128', 1), confidentialityOffset: 7 as never }); }, 'confidentialityOffset'],
    ['unknown event', () => secy().on('rekey' as never, () => {}), 'event'],
  ];
  for (const [name, fn, field] of cases) {
    it(name, () => {
      let caught: unknown;
      try {
        fn();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).field).toBe(field);
    });
  }

  it('setControls checks everything first: a bad value changes nothing', () => {
    const s = secy();
    expect(() => s.setControls({ replayWindow: 5, validateFrames: 'Lax' as never })).toThrow(ConfigError);
    expect(s.controls.replayWindow).toBe(0);
  });
});

describe('controls and backends', () => {
  it('defaults: the standard controls, Strict, replay on with window 0, confidentiality on', () => {
    expect(secy().controls).toEqual({
      protectFrames: true,
      validateFrames: 'Strict',
      replayProtect: true,
      replayWindow: 0,
      confidentialityProtect: true,
      confidentialityOffset: 0,
      alwaysIncludeSCI: false,
      useES: false,
      useSCB: false,
      maxFrameSize: 1996,
      clearTags: 0,
      rekeyThreshold: 0xc000_0000n,
      receiveCapacity: Infinity,
    });
  });

  it("the backend option reaches every SaContext ('node' here), and the two interoperate", () => {
    const wipe = vi.spyOn(SaContext.prototype, 'wipe');
    const a = new SecY({ sci: SCI_A, backend: 'node' });
    expect(a.backend).toBe('node');
    a.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), enable: true });
    const b = new SecY({ sci: SCI_B, backend: 'noble' });
    b.createReceiveSC(SCI_A);
    b.createReceiveSA(SCI_A, { an: 0, sak: key('GCM-AES-128', 1), enable: true });
    expect(delivered(b.receive(sent(a.transmit(ethFrame()))))).toEqual(ethFrame());
    a.destroy();
    b.destroy();
    expect(wipe.mock.contexts.map((c) => (c as SaContext).backend)).toEqual(['node', 'noble']);
  });

  it('SCIs may be given as hex', () => {
    const s = new SecY({ sci: '02:00:00:00:00:0a:00:01' });
    s.createReceiveSC('02000000000b0001');
    expect(s.receiveSCIs()).toEqual(['02000000000b0001']);
    expect(s.counters().sci).toBe('02000000000a0001');
  });

  it('transmitSAState / receiveSAState report the PN state as bigint', () => {
    const { a, b } = pair({ pn: 9n });
    expect(a.transmitSAState(0)).toEqual({ an: 0, nextPN: 9n, enableTransmit: true, inUse: true, exhausted: false });
    expect(a.transmitSAState(1)).toBeUndefined();
    expect(b.receiveSAState(SCI_A, 0)).toEqual({ an: 0, nextPN: 9n, lowestPN: 9n, inUse: true });
  });
});
