/**
 * A worker thread of `bansho analyze`: it loads the same rules and catalog as the main thread,
 * then turns batches of whole lines into counts and unplaced threat events. Per-file state
 * (identity, line numbers, occurrences) stays in the main thread, which takes results in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCatalog, loadEngine } from '../catalog/index.js';
import type { NamedLists } from '../detect/compile.js';
import type { BatchHit } from './analyzer.js';
import { autoFormat, resolveFormat } from './formats.js';
import { analyzeLine, hashText, threatEvent, unplacedJson } from './lineCore.js';
import type { LogFormat } from './record.js';

export interface WorkerSetup {
  readonly lists: NamedLists;
}

/** main → worker: lines of one file, cut at line ends, with the format to read them in. */
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
   * The batch's threat lines, each event as JSON text: a structured clone of nested event
   * objects costs about twice a JSON round trip, and with the text the main thread fills in
   * id and origin without writing the whole event out a second time.
   */
  readonly hits: BatchHit[];
}

const MAX_LINE = 65_536;

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const engine = loadEngine({ lists: setup.lists });
  const catalog = loadCatalog();
  const threatName = (id: string): string | undefined => catalog.get(id)?.name;
  const formats = new Map<string, LogFormat>();
  const formatFor = (key: string): LogFormat => {
    let f = formats.get(key);
    if (!f) {
      const [mode, ...rest] = key.split(':');
      const spec = rest.join(':');
      f = mode === 'fixed' ? resolveFormat(spec) : autoFormat(spec === '' ? null : resolveFormat(spec));
      formats.set(key, f);
    }
    return f;
  };
  port.on('message', (req: BatchRequest) => {
    const format = formatFor(req.format);
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
      const outcome = analyzeLine(line, format, engine, req.fallbackTime);
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
            eventJson: unplacedJson(threatEvent(line, outcome.observation, outcome.matches, threatName)),
          });
      }
    }
    port.postMessage(reply);
  });
}
