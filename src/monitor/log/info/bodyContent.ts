import { brotliDecompressSync, constants, inflateRawSync, type ZlibOptions } from 'node:zlib';

/**
 * The start of a message body as tshark's media dissectors see it: after Content-Encoding is
 * undone (gzip, deflate, br), as tshark's HTTP dissector does before it picks a dissector for
 * the media type. Only the body's first bytes are kept, so only they are decoded.
 */
export interface BodyContent {
  /** The first bytes of the (decoded) body. */
  readonly prefix: Uint8Array;
  /** The (decoded) body's length, or at least this many bytes when only its start was decoded. */
  readonly length: number;
}

/** Compressed bytes kept per message: enough to decode well past the bytes the media dissectors look at. */
export const ENCODED_KEPT = 512;

/**
 * Decoded bytes at most: 106 bytes of brotli can stand for 64 MB, and the bytes are the
 * sender's. Past this, the body is known to be there but not what it starts with.
 */
export const MAX_DECODED = 256 * 1024;

/** Decode as far as the data goes: a body's start, or a stream whose trailer is cut or wrong. */
const AS_FAR_AS_IT_GOES: ZlibOptions = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED };
const NOTHING = Buffer.alloc(0);

/**
 * `kept` is the body's first bytes (all of it when `kept.length === length`). An encoding
 * tshark does not undo leaves the body as it was sent. One it undoes yields what decodes —
 * nothing at all for data that does not (tshark then hands the body to no media dissector),
 * and the data before a wrong checksum or a cut (as zlib's inflate gives it to tshark). A
 * decompression bomb decodes to MAX_DECODED bytes and stops.
 */
export function bodyContent(encoding: string | null, kept: Uint8Array, length: number): BodyContent {
  const decode = decoderFor(encoding);
  if (decode === null) return { prefix: kept, length };
  let out: Buffer;
  try {
    out = decode(kept);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { prefix: NOTHING, length: MAX_DECODED };
    out = NOTHING;
  }
  const whole = kept.length === length;
  return { prefix: out, length: whole || out.length === 0 ? out.length : Math.max(out.length, 1) };
}

function decoderFor(encoding: string | null): ((b: Uint8Array) => Buffer) | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return gunzipMember;
    case 'deflate':
      // Servers send zlib-wrapped or raw deflate under this name; tshark takes either.
      return (b) => inflateRawSync(b.subarray(zlibHeaderLength(b)), AS_FAR_AS_IT_GOES);
    case 'br':
      return (b) =>
        brotliDecompressSync(b, { finishFlush: constants.BROTLI_OPERATION_FLUSH, maxOutputLength: MAX_DECODED });
    default:
      return null;
  }
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/**
 * The first gzip member's data (RFC 1952): the header is read here and the deflate stream
 * after it inflated, so what follows the stream — its trailer, more members, junk — is left
 * alone, as zlib leaves it for tshark.
 */
function gunzipMember(b: Uint8Array): Buffer {
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) throw new Error('not gzip');
  const flags = b[3] as number;
  let at = 10;
  if (flags & FEXTRA) at += 2 + ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8));
  if (flags & FNAME) at = afterZero(b, at);
  if (flags & FCOMMENT) at = afterZero(b, at);
  if (flags & FHCRC) at += 2;
  if (at >= b.length) return NOTHING;
  return inflateRawSync(b.subarray(at), AS_FAR_AS_IT_GOES);
}

function afterZero(b: Uint8Array, from: number): number {
  const zero = b.indexOf(0, from);
  return zero < 0 ? b.length : zero + 1;
}

/** 2 for a zlib header (deflate, no preset dictionary, valid check bits), else 0: raw deflate. */
function zlibHeaderLength(b: Uint8Array): number {
  if (b.length < 2) return 0;
  const cmf = b[0] as number;
  const flg = b[1] as number;
  const isZlib = (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0 && (flg & 0x20) === 0;
  return isZlib ? 2 : 0;
}
