import { CaptureError } from './errors.js';
import type { Frame } from './frame.js';
import { ReusedFrame } from './reusedFrame.js';

/**
 * Incremental reader for pcap (both byte orders, micro- and nanosecond magic) and pcapng (SHB,
 * IDB with if_tsresol, EPB, SPB, the obsolete PB; other blocks skipped). Bytes arrive in chunks of
 * any size — from a file or from tcpdump's stdout — and complete records come out as Frames.
 * Frames' bytes are the chunks' (no copy). Damage raises a CaptureError naming the
 * byte offset; every frame before it has already been handed to `onFrame`.
 */

/** The largest packet any sane capture holds; beyond this a length field is corruption. */
const MAX_PACKET = 262144 * 4;
const MAX_BLOCK = 16 * 1024 * 1024;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  /** Timestamp units per second. */
  readonly unitsPerSecond: bigint;
  readonly precision: number;
  readonly decimal: boolean;
}

type Format = 'unknown' | 'pcap' | 'pcapng';

export type FrameSink = (frame: Frame) => void;

export interface CaptureParserOptions {
  /**
   * Hand a pcap file's records over in one Frame refilled record after record, no object per
   * packet: for a reader that keeps no frame past its call (the monitor keeps numbers and copies).
   */
  readonly reuseFrames?: boolean;
}

export class CaptureParser {
  /** The frame refilled for every pcap record, when frames are reused. */
  readonly #reused: ReusedFrame | null;
  #buf: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(this.#buf.buffer);
  /** Stream offset of `#buf[0]`. */
  #base = 0;
  #pos = 0;
  #format: Format = 'unknown';
  #little = true;
  #precision = 6;
  /** 10^precision: a fraction at or above it is corruption. */
  #fractionLimit = 1e6;
  #linkType = 0;
  #interfaces: Interface[] = [];
  #count = 0;

  constructor(options: CaptureParserOptions = {}) {
    this.#reused = options.reuseFrames ? new ReusedFrame() : null;
  }

  /** The link type of a pcap file, or of the first pcapng interface; null before the header. */
  get linkType(): number | null {
    if (this.#format === 'pcap') return this.#linkType;
    return this.#interfaces[0]?.linkType ?? null;
  }

  get format(): Format {
    return this.#format;
  }

  /** Add bytes; each frame now complete goes to `onFrame`, in order. Throws CaptureError on damage. */
  push(chunk: Uint8Array, onFrame: FrameSink): void {
    this.#append(chunk);
    this.#parse(onFrame);
  }

  /** The input has ended: throws when it stopped inside a header or record. */
  end(): void {
    const left = this.#buf.length - this.#pos;
    const at = this.#base + this.#pos;
    if (this.#format === 'unknown') {
      throw new CaptureError('E_CAPTURE_FORMAT', at, left === 0 ? 'empty input' : `only ${left} bytes of header`);
    }
    if (left > 0) throw new CaptureError('E_CAPTURE_TRUNCATED', at, `${left} bytes of an incomplete record at the end`);
  }

  #append(chunk: Uint8Array): void {
    const left = this.#buf.length - this.#pos;
    if (left === 0) {
      this.#base += this.#buf.length;
      // A plain Uint8Array view: each frame's `subarray` is then the engine's built-in, not
      // Buffer's (which constructs a FastBuffer per frame).
      this.#buf = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else {
      const merged = new Uint8Array(left + chunk.length);
      merged.set(this.#buf.subarray(this.#pos), 0);
      merged.set(chunk, left);
      this.#base += this.#pos;
      this.#buf = merged;
    }
    this.#pos = 0;
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  }

  #available(): number {
    return this.#buf.length - this.#pos;
  }

  #u32(at: number): number {
    return this.#view.getUint32(at, this.#little);
  }

  #u16(at: number): number {
    return this.#view.getUint16(at, this.#little);
  }

  #parse(frames: FrameSink): void {
    if (this.#format === 'unknown' && !this.#readFileHeader()) return;
    if (this.#format === 'pcap') this.#parsePcap(frames);
    else this.#parsePcapng(frames);
  }

  #readFileHeader(): boolean {
    if (this.#available() < 4) return false;
    const magicBE = this.#view.getUint32(this.#pos, false);
    if (magicBE === PCAPNG_SHB) {
      this.#format = 'pcapng';
      return true;
    }
    if (this.#available() < 24) return false;
    const magicLE = this.#view.getUint32(this.#pos, true);
    if (magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS) this.#little = true;
    else if (magicBE === PCAP_MAGIC_US || magicBE === PCAP_MAGIC_NS) this.#little = false;
    else
      throw new CaptureError(
        'E_CAPTURE_FORMAT',
        this.#base + this.#pos,
        `unknown magic 0x${magicBE.toString(16).padStart(8, '0')}`,
      );
    const magic = this.#little ? magicLE : magicBE;
    this.#precision = magic === PCAP_MAGIC_NS ? 9 : 6;
    this.#fractionLimit = 10 ** this.#precision;
    // The link type's upper bits may carry FCS information (pcap-linktype(7)); keep the low 16.
    this.#linkType = this.#u32(this.#pos + 20) & 0xffff;
    this.#format = 'pcap';
    this.#pos += 24;
    return true;
  }

  #parsePcap(frames: FrameSink): void {
    while (this.#available() >= 16) {
      const at = this.#pos;
      const capLen = this.#u32(at + 8);
      const origLen = this.#u32(at + 12);
      if (capLen > MAX_PACKET) {
        throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, `record claims ${capLen} captured bytes`);
      }
      if (this.#available() < 16 + capLen) return;
      const fraction = this.#u32(at + 4);
      if (fraction >= this.#fractionLimit) {
        throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, `timestamp fraction ${fraction} out of range`);
      }
      const reused = this.#reused;
      if (reused === null) {
        const data = this.#buf.subarray(at + 16, at + 16 + capLen);
        frames({
          number: ++this.#count,
          offset: this.#base + at,
          seconds: this.#u32(at),
          fraction,
          precision: this.#precision,
          linkType: this.#linkType,
          originalLength: Math.max(origLen, capLen),
          data,
          bytes: data,
          start: 0,
          end: capLen,
        });
      } else {
        reused.number = ++this.#count;
        reused.offset = this.#base + at;
        reused.seconds = this.#u32(at);
        reused.fraction = fraction;
        reused.precision = this.#precision;
        reused.linkType = this.#linkType;
        reused.originalLength = Math.max(origLen, capLen);
        reused.refill(this.#buf, at + 16, at + 16 + capLen);
        frames(reused);
      }
      this.#pos = at + 16 + capLen;
    }
  }

  #parsePcapng(frames: FrameSink): void {
    while (this.#available() >= 12) {
      const at = this.#pos;
      const type = this.#view.getUint32(at, this.#little);
      if (type === PCAPNG_SHB && !this.#readByteOrder(at)) return;
      const length = this.#u32(at + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK) {
        throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, `block length ${length} is invalid`);
      }
      if (this.#available() < length) return;
      if (this.#u32(at + length - 4) !== length) {
        throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, 'block trailing length does not match');
      }
      this.#readBlock(type, at, length, frames);
      this.#pos = at + length;
    }
  }

  /** A Section Header Block sets the byte order for its section; returns false when incomplete. */
  #readByteOrder(at: number): boolean {
    if (this.#available() < 12) return false;
    const bom = this.#view.getUint32(at + 8, true);
    if (bom === BYTE_ORDER_MAGIC) this.#little = true;
    else if (this.#view.getUint32(at + 8, false) === BYTE_ORDER_MAGIC) this.#little = false;
    else throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, 'section header byte-order magic missing');
    this.#interfaces = [];
    return true;
  }

  #readBlock(type: number, at: number, length: number, frames: FrameSink): void {
    switch (type) {
      case 1:
        this.#interfaces.push(this.#readInterface(at, length));
        return;
      case 6:
        this.#readTimestampedPacket(at, length, frames, this.#u32(at + 8), 'enhanced packet block too short');
        return;
      case 3:
        this.#readSimplePacket(at, length, frames);
        return;
      case 2:
        this.#readTimestampedPacket(at, length, frames, this.#u16(at + 8), 'packet block too short');
        return;
      default:
        return;
    }
  }

  #readInterface(at: number, length: number): Interface {
    if (length < 20) throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, 'interface block too short');
    const linkType = this.#u16(at + 8);
    const snapLength = this.#u32(at + 12);
    let resolution = 6;
    let decimal = true;
    let p = at + 16;
    const end = at + length - 4;
    while (p + 4 <= end) {
      const code = this.#u16(p);
      const len = this.#u16(p + 2);
      if (code === 0) break;
      if (code === 9 && len >= 1 && p + 5 <= end) {
        const v = this.#buf[p + 4] as number;
        decimal = (v & 0x80) === 0;
        resolution = v & 0x7f;
      }
      p += 4 + ((len + 3) & ~3);
    }
    const unitsPerSecond = decimal ? 10n ** BigInt(resolution) : 1n << BigInt(resolution);
    const precision = decimal ? Math.min(resolution, 9) : 9;
    return { linkType, snapLength, unitsPerSecond, precision, decimal };
  }

  #interface(id: number, at: number): Interface {
    const iface = this.#interfaces[id];
    if (!iface) throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, `packet names unknown interface ${id}`);
    return iface;
  }

  /**
   * An Enhanced Packet Block, or the obsolete Packet Block it replaced: the same layout, except
   * that the obsolete block's interface id is 16 bits (followed by a drops count).
   */
  #readTimestampedPacket(at: number, length: number, frames: FrameSink, interfaceId: number, tooShort: string): void {
    if (length < 32) throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, tooShort);
    const iface = this.#interface(interfaceId, at);
    const capLen = this.#u32(at + 20);
    const origLen = this.#u32(at + 24);
    if (28 + capLen > length - 4) {
      throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, `packet of ${capLen} bytes overruns its block`);
    }
    const { seconds, fraction } = splitTimestamp(this.#u32(at + 12), this.#u32(at + 16), iface);
    const data = this.#buf.subarray(at + 28, at + 28 + capLen);
    frames({
      number: ++this.#count,
      offset: this.#base + at,
      seconds,
      fraction,
      precision: iface.precision,
      linkType: iface.linkType,
      originalLength: Math.max(origLen, capLen),
      data,
      bytes: data,
      start: 0,
      end: capLen,
    });
  }

  #readSimplePacket(at: number, length: number, frames: FrameSink): void {
    if (length < 16) throw new CaptureError('E_CAPTURE_CORRUPT', this.#base + at, 'simple packet block too short');
    const iface = this.#interface(0, at);
    const origLen = this.#u32(at + 8);
    let capLen = Math.min(origLen, length - 16);
    if (iface.snapLength > 0) capLen = Math.min(capLen, iface.snapLength);
    const data = this.#buf.subarray(at + 12, at + 12 + capLen);
    frames({
      number: ++this.#count,
      offset: this.#base + at,
      seconds: 0,
      fraction: 0,
      precision: iface.precision,
      linkType: iface.linkType,
      originalLength: origLen,
      data,
      bytes: data,
      start: 0,
      end: capLen,
    });
  }
}

/** Split a pcapng 64-bit timestamp into seconds and a fraction at the interface's precision. */
function splitTimestamp(high: number, low: number, iface: Interface): { seconds: number; fraction: number } {
  if (iface.decimal && iface.precision <= 6) {
    // Fits in a double exactly (< 2^53 for any date before year 2255 at µs).
    const units = high * 4294967296 + low;
    const per = Number(iface.unitsPerSecond);
    const seconds = Math.floor(units / per);
    return { seconds, fraction: units - seconds * per };
  }
  const units = (BigInt(high) << 32n) | BigInt(low);
  const seconds = units / iface.unitsPerSecond;
  const rest = units - seconds * iface.unitsPerSecond;
  const fraction = iface.decimal ? rest : (rest * 1_000_000_000n) / iface.unitsPerSecond;
  return { seconds: Number(seconds), fraction: Number(fraction) };
}
