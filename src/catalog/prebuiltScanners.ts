import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endianness, type Tables, type TypedArray, tableLayout, tableOfLayout } from '../detect/storedScanners.js';

/**
 * The build's literal tables (../detect/storedScanners.ts) on disk: an index, kept with the
 * other copies under the YAML's digest (each set's key and where its table's layout is), and
 * the layouts' text and typed arrays' bytes in one file beside it. The tables are large
 * (megabytes, dense automata) and a first request needs a few of them: each is read, its
 * layout with one system call and each array with one more straight into its memory, only
 * when a set asks for it.
 */

/** The bytes' file. It starts with the stamp its index names: an index only ever reads its own build's bytes. */
const BYTES_FILE = 'scanners.bin';
const STAMP_BYTES = 16;

export interface ScannerIndex {
  readonly stamp: string;
  readonly endianness: string;
  /**
   * Each set's key, and the offset and length in bytes of its table's layout (JSON text) in the
   * bytes' file: read and parsed only for the tables asked for (a layout lists every state's
   * literals; all of them, kept in the index, were 0.6 MB a command's start read and parsed).
   */
  readonly tables: ReadonlyArray<readonly [key: string, at: number, bytes: number]>;
}

export function isScannerIndex(v: unknown): v is ScannerIndex {
  const s = v as ScannerIndex | null;
  return (
    typeof s?.stamp === 'string' &&
    typeof s.endianness === 'string' &&
    Array.isArray(s.tables) &&
    s.tables.every((t) => typeof t[0] === 'string' && Number.isInteger(t[1]) && Number.isInteger(t[2]))
  );
}

/** Write the bytes of `tables` into `dir`; the index to keep with the copies is returned. */
export function writeScannerBytes(dir: string, tables: ReadonlyMap<string, Tables>): ScannerIndex {
  const stamp = randomBytes(STAMP_BYTES);
  const chunks: Buffer[] = [stamp];
  let size = STAMP_BYTES;
  const append = (bytes: Buffer): number => {
    // Each piece at a multiple of 8, as a typed array's memory is.
    const pad = (8 - (size % 8)) % 8;
    if (pad > 0) chunks.push(Buffer.alloc(pad));
    const at = size + pad;
    chunks.push(bytes);
    size = at + bytes.length;
    return at;
  };
  const put = (a: TypedArray): [number, number] => [
    append(Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
    a.length,
  ];
  const index = [...tables].map(([key, t]): [string, number, number] => {
    const layout = Buffer.from(JSON.stringify(tableLayout(t, put)));
    return [key, append(layout), layout.length];
  });
  writeFileSync(join(dir, BYTES_FILE), Buffer.concat(chunks));
  return { stamp: stamp.toString('hex'), endianness: endianness(), tables: index };
}

/** Look-ups of `index`'s tables in `dir`, or null when they cannot serve this machine (another byte order). */
export function scannerLookup(dir: string, index: ScannerIndex): ((key: string) => Tables | undefined) | null {
  if (index.endianness !== endianness()) return null;
  const layouts = new Map(index.tables.map(([key, at, bytes]) => [key, { at, bytes }]));
  return (key) => {
    const layout = layouts.get(key);
    return layout === undefined ? undefined : readTable(join(dir, BYTES_FILE), index.stamp, layout);
  };
}

/** The table whose layout is at `layout` in `file`, its arrays read from there too; undefined when the file is not the index's. */
function readTable(file: string, stamp: string, layout: { at: number; bytes: number }): Tables | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(STAMP_BYTES);
    if (readSync(fd, head, 0, STAMP_BYTES, 0) !== STAMP_BYTES || head.toString('hex') !== stamp) return undefined;
    const text = Buffer.alloc(layout.bytes);
    if (readSync(fd, text, 0, layout.bytes, layout.at) !== layout.bytes) return undefined;
    let whole = true;
    const table = tableOfLayout(JSON.parse(text.toString('utf8')), (make, at) => {
      const [offset, length] = at as [number, number];
      const array = make(length);
      const bytes = new Uint8Array(array.buffer);
      if (readSync(fd, bytes, 0, bytes.length, offset) !== bytes.length) whole = false;
      return array;
    });
    return whole ? (table as Tables) : undefined;
  } finally {
    closeSync(fd);
  }
}
