/**
 * One batch of whole lines through the pipeline, with no per-file state: what a worker thread
 * of `bansho analyze` does with each batch it is handed, and what the main thread does with the
 * batches it keeps for itself (./parallel.ts). Per-file state (identity, line numbers,
 * occurrences) stays with the main thread, which takes results in order.
 */
import type { Engine } from '../detect/types.js';
import type { BatchHit } from './analyzer.js';
import { autoFormat, resolveFormat } from './formats.js';
import { analyzeLine, hashText, threatEvent, unplacedEncoded } from './lineCore.js';
import type { LogFormat } from './record.js';

/** Lines of one file, cut at line ends, with the format to read them in. */
export interface BatchRequest {
  readonly seq: number;
  /** `fixed:<name or LogFormat>` or `auto:<detected name>` or `auto:`. */
  readonly format: string;
  readonly bytes: Uint8Array;
  readonly fallbackTime: number;
}

export interface BatchReply {
  readonly seq: number;
  readonly lines: number;
  readonly parsed: number;
  readonly blank: number;
  readonly garbage: number;
  readonly noRequest: number;
  readonly garbageSamples: string[];
  /**
   * The batch's threat lines, each event encoded (columns and JSON text): a structured clone of
   * nested event objects costs about twice a JSON round trip, and with the text and columns the
   * main thread fills in id and origin without parsing the event or writing it out again.
   */
  readonly hits: BatchHit[];
}

const MAX_LINE = 65_536;

/** Analyses batches with one engine; keeps the formats it has compiled. */
export class BatchAnalyzer {
  readonly #formats = new Map<string, LogFormat>();

  constructor(
    private readonly engine: Engine,
    private readonly threatName: (threatId: string) => string | undefined,
  ) {}

  analyze(req: BatchRequest): BatchReply {
    const format = this.#format(req.format);
    const text = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength).toString('latin1');
    const reply: BatchReply = {
      seq: req.seq,
      lines: 0,
      parsed: 0,
      blank: 0,
      garbage: 0,
      noRequest: 0,
      garbageSamples: [],
      hits: [],
    };
    const hits = reply.hits;
    const counts = reply as { -readonly [K in keyof BatchReply]: BatchReply[K] };
    // Lines cut out one at a time (no array of them all); a batch ends at a line end, and text
    // after the last newline, if any, is a last line.
    for (let start = 0, index = 0; start < text.length; index++) {
      const nl = text.indexOf('\n', start);
      const stop = nl < 0 ? text.length : nl;
      const line = text.slice(start, Math.min(stop, start + MAX_LINE));
      start = stop + 1;
      counts.lines++;
      const outcome = analyzeLine(line, format, this.engine, req.fallbackTime);
      switch (outcome.kind) {
        case 'blank':
          counts.blank++;
          break;
        case 'garbage':
          counts.garbage++;
          if (counts.garbageSamples.length < 5) counts.garbageSamples.push(line.slice(0, 200));
          break;
        case 'no-request':
          counts.parsed++;
          counts.noRequest++;
          break;
        case 'clean':
          counts.parsed++;
          break;
        case 'threat':
          counts.parsed++;
          hits.push({
            index,
            lineKey: hashText(line),
            event: unplacedEncoded(threatEvent(line, outcome.observation, outcome.matches, this.threatName)),
          });
      }
    }
    return reply;
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
