/**
 * A full-duplex point-to-point Ethernet link between two ports: each direction has its transmit
 * queue, serialises frames at the line rate (preamble, SFD, FCS and gap included), passes them through
 * the actors on the wire and delivers them after the propagation delay.
 */
import type { ActorContext, Side, WireActor, WireFrame } from './actors.js';
import type { Clock } from './clock.js';
import { PROPAGATION_PS_PER_METRE, serializationPs } from './linerate.js';
import type { Rng } from '../util/rng.js';

/** What a port does with frames: its SecY (or nothing, for an unprotected link). */
export interface Endpoint {
  /** Turns a frame from the user into what goes on the wire, or refuses it with a reason. */
  transmit(frame: Uint8Array): { readonly frame: Uint8Array } | { readonly refused: string };
  /**
   * Takes a frame off the wire: delivered (controlled or uncontrolled port) or dropped with a reason;
   * `counter` names the counter the frame landed in, where there is one.
   */
  receive(frame: Uint8Array):
    | { readonly port: 'controlled' | 'uncontrolled'; readonly frame: Uint8Array; readonly counter?: string }
    | { readonly dropped: string };
  /**
   * When present, the link hands arriving frames here instead of to `receive` (and reports no arrival):
   * the endpoint receives them when it likes (in bursts) and reports them itself.
   */
  arrive?(frame: WireFrame, at: number): void;
}

export interface LinkOptions {
  /** Bits per second. */
  readonly rate: number;
  readonly cableMeters: number;
  /** Frames a transmit queue holds before it drops (tail drop). */
  readonly queueFrames: number;
}

/** What became of one frame on the wire. */
export interface Arrival {
  readonly frame: WireFrame;
  readonly at: number;
  readonly result: ReturnType<Endpoint['receive']>;
}

export interface LinkEvents {
  /** A frame left the transmitter (after its SecY). */
  onWire?(frame: WireFrame, at: number): void;
  /** A frame reached the other port and its SecY decided. */
  onArrival?(arrival: Arrival): void;
  /** The SecY refused a frame, or the queue was full. */
  onRefused?(side: Side, reason: string, frame: Uint8Array): void;
  /** An actor acted on a frame. */
  onTouch?(actor: string, frame: WireFrame, action: string, at: number): void;
}

class Direction {
  readonly queue: WireFrame[] = [];
  busy = false;
  /** One random stream per actor, so adding an actor does not change what another one does. */
  readonly rngs: readonly Rng[];
  constructor(
    readonly from: Side,
    readonly actors: readonly WireActor[],
    rng: Rng,
  ) {
    this.rngs = actors.map((a, i) => rng.fork(`${from}:${i}:${a.name}`));
  }
}

export class Link {
  private readonly directions: Record<Side, Direction>;
  private nextId = 1;
  readonly propagationPs: number;
  /** Frames being serialised or between the wire and the far port, by slot (the argument of their next event). */
  private readonly travelling: (WireFrame | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly serialisedKind: number;
  private readonly arriveKind: number;

  constructor(
    private readonly clock: Clock,
    private readonly endpoints: Record<Side, Endpoint>,
    private readonly options: LinkOptions,
    actors: Record<Side, readonly WireActor[]>,
    rng: Rng,
    private readonly events: LinkEvents = {},
  ) {
    this.directions = {
      a: new Direction('a', actors.a, rng.fork('a->b')),
      b: new Direction('b', actors.b, rng.fork('b->a')),
    };
    this.propagationPs = Math.round(options.cableMeters * PROPAGATION_PS_PER_METRE);
    this.serialisedKind = clock.kind((slot) => this.serialised(this.release(slot)));
    this.arriveKind = clock.kind((slot) => this.arrive(this.release(slot)));
  }

  /** A user frame offered to `side`'s port now. */
  offer(side: Side, frame: Uint8Array): void {
    const out = this.endpoints[side].transmit(frame);
    if ('refused' in out) {
      this.events.onRefused?.(side, out.refused, frame);
      return;
    }
    this.enqueue(side, out.frame, frame);
  }

  /**
   * A frame `side`'s port has already transmitted (`mpdu`, from the user's `frame`), into its queue now;
   * false (and onRefused) when the queue is full.
   */
  enqueue(side: Side, mpdu: Uint8Array, frame: Uint8Array): boolean {
    const dir = this.directions[side];
    if (dir.queue.length >= this.options.queueFrames) {
      this.events.onRefused?.(side, 'queue full', frame);
      return false;
    }
    dir.queue.push({ id: this.nextId++, bytes: mpdu, from: side });
    if (!dir.busy) this.startNext(dir);
    return true;
  }

  /** How long `side`'s queue is, in frames. */
  queueLength(side: Side): number {
    return this.directions[side].queue.length;
  }

  /** Frames `side` has accepted and not yet put on the wire: its queue and the frame being serialised. */
  waiting(side: Side): number {
    const dir = this.directions[side];
    return dir.queue.length + (dir.busy ? 1 : 0);
  }

  /** Releases frames actors still hold (end of run). */
  flush(): void {
    for (const dir of Object.values(this.directions)) for (const [i, actor] of dir.actors.entries()) actor.flush?.(this.context(dir, i));
  }

  private startNext(dir: Direction): void {
    const frame = dir.queue.shift();
    if (frame === undefined) {
      dir.busy = false;
      return;
    }
    dir.busy = true;
    this.clock.afterKind(serializationPs(frame.bytes.length, this.options.rate), this.serialisedKind, this.hold(frame));
  }

  /** A slot in `travelling` for `frame`. */
  private hold(frame: WireFrame): number {
    const slot = this.freeSlots.pop() ?? this.travelling.length;
    this.travelling[slot] = frame;
    return slot;
  }

  /** The frame in `slot`, which is free again. */
  private release(slot: number): WireFrame {
    const frame = this.travelling[slot];
    if (frame === undefined) throw new Error(`link: no frame in slot ${slot}`);
    this.travelling[slot] = undefined;
    this.freeSlots.push(slot);
    return frame;
  }

  /** A frame is on the wire: serialised, it starts on its way. */
  private serialised(frame: WireFrame): void {
    const dir = this.directions[frame.from];
    this.events.onWire?.(frame, this.clock.now);
    this.pass(dir, 0, frame, 0);
    this.startNext(dir);
  }

  /** Hands a frame to actor `index` (or, past the last, to the far port) after `delay`. */
  private pass(dir: Direction, index: number, frame: WireFrame, delay: number): void {
    if (index >= dir.actors.length) {
      this.clock.afterKind(this.propagationPs + delay, this.arriveKind, this.hold(frame));
      return;
    }
    const actor = dir.actors[index]!;
    if (delay > 0) this.clock.after(delay, () => actor.handle(frame, this.context(dir, index)));
    else actor.handle(frame, this.context(dir, index));
  }

  private context(dir: Direction, index: number): ActorContext {
    const actor = dir.actors[index]!;
    return {
      now: this.clock.now,
      rng: dir.rngs[index]!,
      forward: (f, delay = 0) => this.pass(dir, index + 1, f, delay),
      newId: () => this.nextId++,
      touch: (f, action) => this.events.onTouch?.(actor.name, f, action, this.clock.now),
    };
  }

  private arrive(frame: WireFrame): void {
    const endpoint = this.endpoints[frame.from === 'a' ? 'b' : 'a'];
    if (endpoint.arrive !== undefined) {
      endpoint.arrive(frame, this.clock.now);
      return;
    }
    const result = endpoint.receive(frame.bytes);
    this.events.onArrival?.({ frame, at: this.clock.now, result });
  }
}
