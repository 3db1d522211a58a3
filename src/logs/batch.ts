/**
 * One batch of whole lines through the pipeline, with no per-file state: what a worker thread
 * of `bansho analyze` does with each batch it is handed, and what the main thread does with the
 * batches it keeps for itself (./parallel.ts). Per-file state (identity, line numbers,
 * occurrences) stays with the main thread, which takes results in order.
 */

import { RequestMemo } from '../detect/requestMemo.js';
import type { Engine } from '../detect/types.js';
import type { TrustedProxy } from '../observe/forwardedClient.js';
import { HitWriter } from './batchHits.js';
import { SignalWriter } from './batchSignals.js';
import { NameTable } from './batchTable.js';
import { autoFormat, resolveFormat } from './formats.js';
import { analyzeLine, countOutcome } from './lineCore.js';
import type { LogFormat } from './record.js';

/** Lines of one file, cut at line ends, with the format to read them in. */
export interface BatchRequest {
  readonly seq: number;
  /** `fixed:<name or LogFormat>` or `auto:<detected name>` or `auto:`. */
  readonly format: string;
  readonly bytes: Uint8Array;
  readonly fallbackTime: number;
  /** The file's identity (../logs/analyzer.ts), so threat events come back placed as their content's first occurrence. */
  readonly identity: string;
  /** `JSON.stringify` of the file's label, as the events' `bansho.origin.file`. */
  readonly fileJson: string;
}

export interface BatchReply {
  readonly seq: number;
  /** The request's bytes, handed back (transferred): the signals' lines are read from them, then they are filled again. */
  readonly bytes: Uint8Array;
  readonly lines: number;
  readonly parsed: number;
  readonly blank: number;
  readonly garbage: number;
  readonly noRequest: number;
  readonly garbageSamples: string[];
  /** The request's identity, which the hits' first-occurrence ids were made with. */
  readonly identity: string;
  /**
   * The batch's threat lines (./batchHits.ts), a row each (transferred): each event's columns
   * and store key for a first occurrence, and where its line's key and document are in `docs`.
   */
  readonly hits: Float64Array;
  /** The events' JSON as UTF-8, placed as first occurrences but for the line number (transferred); null without hits. */
  readonly docs: Uint8Array | null;
  /** The batch's requests the behaviours count (errors and login posts), a row each in line order (./batchSignals.ts; transferred). */
  readonly signals: Float64Array;
  /** The strings the hits' and signals' rows name by number (./batchTable.ts). */
  readonly names: string[];
}

const MAX_LINE = 65_536;

/** What a batch's lines leave for the reading thread (besides counts). */
interface Results {
  readonly hits: HitWriter;
  readonly signals: SignalWriter;
}

const NO_ROWS = new Float64Array(0);

/** Analyses batches with one engine; keeps the formats it has compiled. */
export class BatchAnalyzer {
  readonly #formats = new Map<string, LogFormat>();
  /** The requests this engine judged (a worker's batches are of one analysis). */
  readonly #memo = new RequestMemo();

  constructor(
    private readonly engine: Engine,
    private readonly threatName: (threatId: string) => string | undefined,
    /** Proxies in front of the logging server (see observationFromRecord); null for none. */
    private readonly trusted: TrustedProxy | null = null,
  ) {}

  analyze(req: BatchRequest): BatchReply {
    const format = this.#format(req.format);
    const bytes = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    const reply: BatchReply = {
      seq: req.seq,
      bytes: req.bytes,
      lines: 0,
      parsed: 0,
      blank: 0,
      garbage: 0,
      noRequest: 0,
      garbageSamples: [],
      identity: req.identity,
      hits: NO_ROWS,
      docs: null,
      signals: NO_ROWS,
      names: [],
    };
    const names = new NameTable();
    const out: Results = { hits: new HitWriter(req.identity, req.fileJson, names), signals: new SignalWriter(names) };
    let index = 0;
    // Decoded a piece at a time: a string of a whole batch would be too large for the young
    // generation, and each one would wait for a full collection to be freed.
    for (let at = 0; at < bytes.length; ) {
      const stop = pieceEnd(bytes, at);
      index = this.#lines(bytes.toString('latin1', at, stop), at, format, req.fallbackTime, index, reply, out);
      at = stop;
    }
    return { ...reply, hits: out.hits.rows(), docs: out.hits.docs(), signals: out.signals.rows(), names: names.list };
  }

  /**
   * The lines of `text` (whole lines, the last perhaps without its newline; decoded from byte
   * `textAt` of the batch, a byte a character) into `reply`; the next line's index.
   */
  #lines(
    text: string,
    textAt: number,
    format: LogFormat,
    fallbackTime: number,
    index: number,
    reply: BatchReply,
    out: Results,
  ): number {
    const counts = reply as { -readonly [K in keyof BatchReply]: BatchReply[K] };
    // Lines cut out one at a time (no array of them all).
    for (let start = 0; start < text.length; index++) {
      const nl = text.indexOf('\n', start);
      const stop = nl < 0 ? text.length : nl;
      const lineAt = textAt + start;
      const line = text.slice(start, Math.min(stop, start + MAX_LINE));
      start = stop + 1;
      counts.lines++;
      const outcome = analyzeLine(line, format, this.engine, fallbackTime, this.trusted, this.#memo);
      countOutcome(counts, outcome, line);
      if (outcome.kind !== 'threat' && outcome.kind !== 'clean') continue;
      if (outcome.kind === 'threat') out.hits.push(index, line, outcome.observation, outcome.matches, this.threatName);
      out.signals.push(index, lineAt, line.length, outcome.observation);
    }
    return index;
  }

  #format(key: string): LogFormat {
    let f = this.#formats.get(key);
    if (!f) {
      const [mode, ...rest] = key.split(':');
      const spec = rest.join(':');
      f = mode === 'fixed' ? resolveFormat(spec) : autoFormat(spec === '' ? null : resolveFormat(spec));
      this.#formats.set(key, f);
    }
    return f;
  }
}

/** Bytes decoded at once: below V8's large-object size, so a piece's string is young. */
const PIECE_BYTES = 48 * 1024;

/** Where the piece starting at `at` ends: after the last newline within PIECE_BYTES, or after its one long line. */
function pieceEnd(bytes: Buffer, at: number): number {
  if (bytes.length - at <= PIECE_BYTES) return bytes.length;
  const nl = bytes.lastIndexOf(10, at + PIECE_BYTES - 1);
  if (nl >= at) return nl + 1;
  const next = bytes.indexOf(10, at + PIECE_BYTES);
  return next < 0 ? bytes.length : next + 1;
}
