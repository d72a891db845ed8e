/**
 * What can happen to a frame on the wire: an eavesdropper's tap, loss, duplication, reordering,
 * bit errors, jitter, replay, tampering and injection. Each actor sees every frame in its direction,
 * in order, and passes on what it lets through; a run is reproducible from its seed.
 */
import { ICV_LENGTH, secTagLength, TCI_SC } from '../wire/sectag.js';
import { ETHERTYPE_OFFSET, EtherType, isVlanTpid, readU16 } from '../wire/ethernet.js';
import type { Rng } from '../util/rng.js';

export type Side = 'a' | 'b';

export interface WireFrame {
  /** Unique in a run; copies made by an actor get their own. */
  readonly id: number;
  readonly bytes: Uint8Array;
  /** The port that sent it. */
  readonly from: Side;
  /** Set when an actor made this frame (a duplicate, a replay, an injection), naming the actor. */
  readonly madeBy?: string;
}

export interface ActorContext {
  readonly now: number;
  readonly rng: Rng;
  /** Passes a frame on towards the receiver, after `delayPs` more. */
  forward(frame: WireFrame, delayPs?: number): void;
  /** A new frame id, for copies. */
  newId(): number;
  /** Notes that this actor did something to a frame ("dropped", "flipped bit 37", ...). */
  touch(frame: WireFrame, action: string): void;
}

export interface WireActor {
  readonly name: string;
  handle(frame: WireFrame, ctx: ActorContext): void;
  /** Frames still held (a reorder buffer) are released when the run drains. */
  flush?(ctx: ActorContext): void;
}

/** Where the SecTAG starts, or -1 when the frame has none (clear VLAN tags allowed before it). */
function secTagOffset(b: Uint8Array): number {
  let o = ETHERTYPE_OFFSET;
  for (let i = 0; i < 3 && b.length >= o + 2; i++) {
    const t = readU16(b, o);
    if (t === EtherType.MACsec) return o;
    if (!isVlanTpid(t)) return -1;
    o += 4;
  }
  return -1;
}

const copy = (f: WireFrame, ctx: ActorContext, madeBy: string, bytes = f.bytes.slice()): WireFrame => ({ id: ctx.newId(), bytes, from: f.from, madeBy });

/** A passive eavesdropper: records every frame as it crossed the wire, changes nothing. */
export class Tap implements WireActor {
  readonly name = 'tap';
  readonly seen: { at: number; bytes: Uint8Array }[] = [];
  handle(f: WireFrame, ctx: ActorContext): void {
    this.seen.push({ at: ctx.now, bytes: f.bytes.slice() });
    ctx.forward(f);
  }
}

/** Loses frames: each with probability `rate`, and/or `burst` frames in a row every `every` frames. */
export class Drop implements WireActor {
  readonly name = 'drop';
  private count = 0;
  private burstLeft = 0;
  constructor(
    private readonly rate: number,
    private readonly burst?: { readonly length: number; readonly every: number },
  ) {}
  handle(f: WireFrame, ctx: ActorContext): void {
    this.count++;
    if (this.burst && this.count % this.burst.every === 0) this.burstLeft = this.burst.length;
    if (this.burstLeft > 0 || ctx.rng.chance(this.rate)) {
      if (this.burstLeft > 0) this.burstLeft--;
      ctx.touch(f, 'dropped');
      return;
    }
    ctx.forward(f);
  }
}

/** Sends some frames twice (a misbehaving bridge, a retransmitting tunnel). */
export class Duplicate implements WireActor {
  readonly name = 'duplicate';
  constructor(private readonly rate: number) {}
  handle(f: WireFrame, ctx: ActorContext): void {
    ctx.forward(f);
    if (ctx.rng.chance(this.rate)) {
      const twin = copy(f, ctx, this.name);
      ctx.touch(twin, `duplicate of frame ${f.id}`);
      ctx.forward(twin);
    }
  }
}

/** Holds some frames back until `depth` later frames have passed (ECMP across a provider network). */
export class Reorder implements WireActor {
  readonly name = 'reorder';
  private held: { frame: WireFrame; release: number }[] = [];
  private passed = 0;
  constructor(
    private readonly rate: number,
    private readonly depth: number,
  ) {}
  handle(f: WireFrame, ctx: ActorContext): void {
    this.passed++;
    if (ctx.rng.chance(this.rate)) {
      ctx.touch(f, `held back ${this.depth} frames`);
      this.held.push({ frame: f, release: this.passed + this.depth });
    } else {
      ctx.forward(f);
    }
    const due = this.held.filter((h) => h.release <= this.passed);
    this.held = this.held.filter((h) => h.release > this.passed);
    for (const h of due) ctx.forward(h.frame);
  }
  flush(ctx: ActorContext): void {
    for (const h of this.held) ctx.forward(h.frame);
    this.held = [];
  }
}

/** Bit errors: flips `bits` random bits in a share of frames (the FCS would catch them; here MACsec does). */
export class Corrupt implements WireActor {
  readonly name = 'corrupt';
  constructor(
    private readonly rate: number,
    private readonly bits = 1,
  ) {}
  handle(f: WireFrame, ctx: ActorContext): void {
    if (!ctx.rng.chance(this.rate)) return ctx.forward(f);
    const bytes = f.bytes.slice();
    const flipped: number[] = [];
    for (let i = 0; i < this.bits; i++) {
      const bit = ctx.rng.int(bytes.length * 8);
      bytes[bit >> 3]! ^= 0x80 >> (bit & 7);
      flipped.push(bit);
    }
    ctx.touch(f, `flipped bit${flipped.length > 1 ? 's' : ''} ${flipped.join(', ')}`);
    ctx.forward({ ...f, bytes });
  }
}

/** Random extra delay up to `maxPs` per frame; frames may overtake each other. */
export class Jitter implements WireActor {
  readonly name = 'jitter';
  constructor(private readonly maxPs: number) {}
  handle(f: WireFrame, ctx: ActorContext): void {
    const extra = ctx.rng.int(this.maxPs + 1);
    if (extra > 0) ctx.touch(f, `delayed ${extra} ps`);
    ctx.forward(f, extra);
  }
}

/** Records frames and sends copies again later: the attack MACsec's replay protection is for. */
export class Replay implements WireActor {
  readonly name = 'replay';
  private recorded: WireFrame[] = [];
  private seen = 0;
  constructor(
    /** Replay a recorded frame with this probability per frame passing. */
    private readonly rate: number,
    /** How many frames back the replayed copy comes from, at most. */
    private readonly window = 64,
    /** Record frames only after this many have passed. */
    private readonly after = 0,
  ) {}
  handle(f: WireFrame, ctx: ActorContext): void {
    this.seen++;
    ctx.forward(f);
    if (f.madeBy === undefined && this.seen > this.after) {
      this.recorded.push(f);
      if (this.recorded.length > this.window) this.recorded.shift();
    }
    if (this.recorded.length > 1 && ctx.rng.chance(this.rate)) {
      const old = this.recorded[ctx.rng.int(this.recorded.length - 1)]!;
      const again = copy(old, ctx, this.name);
      ctx.touch(again, `replay of frame ${old.id}`);
      ctx.forward(again);
    }
  }
}

export type TamperField = 'payload' | 'icv' | 'tci' | 'pn' | 'an' | 'sci' | 'sl';

/** Changes one chosen field of a share of frames: the active attacker MACsec's ICV is for. */
export class Tamper implements WireActor {
  readonly name: string;
  constructor(
    private readonly field: TamperField,
    private readonly rate: number,
  ) {
    this.name = `tamper ${field}`;
  }
  handle(f: WireFrame, ctx: ActorContext): void {
    if (!ctx.rng.chance(this.rate)) return ctx.forward(f);
    const b = f.bytes.slice();
    const tag = secTagOffset(b);
    if (tag < 0) {
      ctx.touch(f, 'no SecTAG: changed a payload octet');
      b[b.length - 1]! ^= 0xff;
      return ctx.forward({ ...f, bytes: b });
    }
    const sc = (b[tag + 2]! & TCI_SC) !== 0;
    const data = tag + secTagLength(sc);
    let action: string;
    switch (this.field) {
      case 'payload': {
        const at = data + ctx.rng.int(Math.max(1, b.length - ICV_LENGTH - data));
        b[at]! ^= 1 << ctx.rng.int(8);
        action = `flipped a bit of secure data at offset ${at}`;
        break;
      }
      case 'icv': {
        const at = b.length - 1 - ctx.rng.int(ICV_LENGTH);
        b[at]! ^= 1 << ctx.rng.int(8);
        action = `flipped a bit of the ICV at offset ${at}`;
        break;
      }
      case 'tci': {
        const bit = [0x40, 0x10, 0x08, 0x04][ctx.rng.int(4)]!;
        b[tag + 2]! ^= bit;
        action = `toggled TCI bit 0x${bit.toString(16)}`;
        break;
      }
      case 'an':
        b[tag + 2] = (b[tag + 2]! & ~3) | ((b[tag + 2]! + 1) & 3);
        action = 'changed the AN';
        break;
      case 'sl':
        b[tag + 3] = (b[tag + 3]! + 1) & 0x3f;
        action = 'changed SL';
        break;
      case 'pn':
        b[tag + 7]! ^= 0x01;
        action = 'changed the PN';
        break;
      case 'sci':
        if (!sc) {
          action = 'no SCI to change: flipped a source address bit';
          b[11]! ^= 1;
        } else {
          b[tag + 15]! ^= 1;
          action = 'changed the SCI';
        }
        break;
    }
    ctx.touch(f, action);
    ctx.forward({ ...f, bytes: b });
  }
}

/** Adds forged frames: `forge` makes one (e.g. protected under a key the link does not use). */
export class Inject implements WireActor {
  readonly name = 'inject';
  constructor(
    private readonly rate: number,
    private readonly forge: (like: WireFrame, rng: Rng) => Uint8Array,
  ) {}
  handle(f: WireFrame, ctx: ActorContext): void {
    ctx.forward(f);
    if (ctx.rng.chance(this.rate)) {
      const forged: WireFrame = { id: ctx.newId(), bytes: this.forge(f, ctx.rng), from: f.from, madeBy: this.name };
      ctx.touch(forged, 'forged');
      ctx.forward(forged);
    }
  }
}
