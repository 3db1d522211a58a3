import { CaptureClock } from '../capture/clock.js';
import { frameTimeMs } from '../capture/frame.js';
import type { DecodedPacket } from '../decode/packet.js';
import { Conversations } from '../tcp/conversations.js';
import type { MacNames } from './names.js';
import { PacketLog } from './packetLog.js';

/**
 * The packet log of a capture on its own, without detection: the conversation table reading
 * TCP and the log rendering every frame — what `bansho monitor -r` prints, for the tshark
 * comparisons.
 */
export class PacketLogReader {
  readonly #clock = new CaptureClock();
  readonly #conversations = new Conversations();
  readonly #log: PacketLog;

  constructor(options: { readonly macNames?: MacNames } = {}) {
    this.#log = new PacketLog(options);
  }

  /** The line for the next frame of the capture. */
  line(p: DecodedPacket): string {
    const f = p.frame;
    const ns = this.#clock.ns(f.seconds, f.fraction, f.precision);
    const t = p.transport;
    const time = frameTimeMs(f);
    const seg = t.kind === 'tcp' && p.ip !== null ? this.#conversations.read(p, t.tcp, ns, time) : null;
    const line = this.#log.line(p, ns, seg);
    // Its connection counts it, and ends where it ends it.
    if (seg !== null && t.kind === 'tcp') this.#conversations.track(seg, p, t.tcp, time, null);
    return line;
  }
}
