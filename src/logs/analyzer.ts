import { type BehaviourSettings, HttpBehaviour } from '../detect/behaviour/httpBehaviour.js';
import type { BehaviourFinding } from '../detect/finding.js';
import { cidrPredicate } from '../detect/operators/cidr.js';
import { RequestMemo } from '../detect/requestMemo.js';
import type { Engine, Match } from '../detect/types.js';
import { toEvent } from '../events/toEvent.js';
import type { TrustedProxy } from '../observe/forwardedClient.js';
import type { HttpObservation } from '../observe/observation.js';
import { DocEvent, type EncodedEvent, encodeEvent, eventKey } from '../store/encodedEvent.js';
import { BatchHits } from './batchHits.js';
import { BatchSignals } from './batchSignals.js';
import { autoFormat, detectFormat } from './formats.js';
import {
  analyzeLine,
  countOutcome,
  type EventPlace,
  eventPlace,
  findingPlace,
  GARBAGE_SAMPLES,
  hashText,
  type LoggedSignal,
  loggedSignal,
  threatEvent,
} from './lineCore.js';
import type { LogFormat } from './record.js';
import { type AnalysisStats, emptyAnalysisStats, tallyEvent } from './tally.js';

export type { AnalysisStats, SourceTally, ThreatTally } from './tally.js';

/** Where events go, encoded; returns how many were new (the store ignores ids it already has). */
export type EventSink = (events: readonly EncodedEvent[]) => number | Promise<number>;

export interface AnalyzerOptions {
  readonly engine: Engine;
  /** A fixed format; when absent each file's format is detected from its first lines. */
  readonly format?: LogFormat;
  readonly threatName?: (threatId: string) => string | undefined;
  /**
   * Called for each event as it is made (`--json` output; `--follow --ban` uses `detail`,
   * which is null for lines analysed in worker threads; findings are always made here).
   */
  readonly onEvent?: (event: EncodedEvent, detail: EventDetail | null) => void;
  /** Time for lines without a readable time (a follow run passes the clock). */
  readonly fallbackTime?: () => number;
  /** The behaviours' limits: the site policy's (config/sitePolicy.ts), the config's over the built-in ones. */
  readonly behaviours: BehaviourSettings;
  /** CIDRs of proxies in front of the logging server (config `trusted_proxies`). */
  readonly trustedProxies?: readonly string[];
}

/** What an event was made from: a threat line's matches, or a behaviour finding. */
export type EventDetail =
  | { readonly kind: 'line'; readonly matches: readonly Match[]; readonly observation: HttpObservation }
  | { readonly kind: 'finding'; readonly finding: BehaviourFinding<LoggedSignal> };

/** Line counts a worker reports for one batch. */
export interface BatchCounts {
  readonly lines: number;
  readonly parsed: number;
  readonly blank: number;
  readonly garbage: number;
  readonly noRequest: number;
  readonly garbageSamples: readonly string[];
}

/** A batch a worker analysed, as the reading thread takes it back (./batch.ts's reply). */
export interface AnalysedBatch extends BatchCounts {
  /** The batch's lines, as the worker read them (the signals' lines are read from them). */
  readonly bytes: Uint8Array;
  /** The file identity the hits were placed with. */
  readonly identity: string;
  /** A row per hit (./batchHits.ts). */
  readonly hits: Float64Array;
  /** The hits' keys and documents (UTF-8), null without hits. */
  readonly docs: Uint8Array | null;
  /** A row per signal (./batchSignals.ts). */
  readonly signals: Float64Array;
  /** The strings the rows name by number. */
  readonly names: readonly string[];
}

/**
 * Events handed to the sink at once: one SQLite transaction each. A commit per batch of lines
 * cost twice the CPU of the inserts themselves (and stalled the thread feeding the workers).
 */
export const EVENTS_PER_SINK_CALL = 2048;

const DETECT_SAMPLE = 32;

/**
 * Per-file state. A file's identity is a hash of its first line — content, not path — so the
 * same log re-imported under another name (rotated to `access.log.1`, gzipped to `.2.gz`)
 * yields the same event ids, and the store keeps each fact once.
 */
class FileState {
  identity: string | null = null;
  format: LogFormat | null;
  pending: string[] | null;
  lineNo = 0;
  /** Occurrences of each matched line's content, so identical lines stay distinct facts. */
  readonly seen = new Map<string, number>();
  /**
   * Per-source behaviour, per file: a file read alone or with others fills its buckets the
   * same way, so a finding's place (hence its id) does not depend on what was read before.
   */
  readonly behaviour: HttpBehaviour<LoggedSignal>;

  constructor(
    readonly label: string,
    fixed: LogFormat | undefined,
    behaviours: BehaviourSettings,
  ) {
    // The evidence of a finding is its log lines (the latest few, cut short).
    this.behaviour = new HttpBehaviour<LoggedSignal>(behaviours, { sample: (s) => s.line });
    this.format = fixed ?? null;
    this.pending = fixed ? null : [];
  }
}

/**
 * Access-log analysis, line by line: parse, build the gateway's Observation, run the engine,
 * turn matches into `detected` events with content-derived ids. Synchronous per line; events
 * are handed to the sink in batches between chunks, so memory stays flat however long the log.
 */
export class LogAnalyzer {
  readonly stats: AnalysisStats = emptyAnalysisStats();
  readonly #options: AnalyzerOptions;
  readonly #trusted: TrustedProxy | null;
  readonly #files = new Map<string, FileState>();
  #batch: EncodedEvent[] = [];
  /** The requests the engine judged, across files (a request's verdict is the same in any). */
  readonly #memo = new RequestMemo();

  constructor(options: AnalyzerOptions) {
    this.#options = options;
    this.#trusted = cidrPredicate(options.trustedProxies ?? []);
  }

  /** Begin a file (or a rotated file's successor): its identity and format are its own. */
  startFile(label: string): void {
    this.endFile(label);
    this.#files.set(label, new FileState(label, this.#options.format, this.#options.behaviours));
  }

  /** Feed lines of a started file. */
  lines(label: string, lines: readonly string[]): void {
    const file = this.#files.get(label);
    if (!file) throw new Error(`startFile(${label}) first`);
    for (const line of lines) {
      if (file.pending) {
        file.pending.push(line);
        if (file.pending.length >= DETECT_SAMPLE) this.#decideFormat(file);
        continue;
      }
      this.#line(file, line);
    }
  }

  /** Finish the current file: lines held back for format detection are analysed now. */
  endFile(label: string): void {
    const file = this.#files.get(label);
    if (file?.pending) this.#decideFormat(file);
    this.#files.delete(label);
  }

  /**
   * A follow run calls this when a file goes quiet: a short log (fewer lines than the detection
   * sample) is analysed now rather than when more lines arrive.
   */
  settle(label: string): void {
    const file = this.#files.get(label);
    if (file?.pending && file.pending.length > 0) this.#decideFormat(file);
  }

  /** How many events `takeEvents` would return now. */
  get pendingEvents(): number {
    return this.#batch.length;
  }

  /** Events made since the last call. */
  takeEvents(): EncodedEvent[] {
    const out = this.#batch;
    this.#batch = [];
    return out;
  }

  /**
   * For a file analysed in worker threads: fix its format from a sample of its first lines and
   * its identity from its first non-blank line, before any batch is handed out.
   */
  prepareFile(label: string, sample: readonly string[]): LogFormat {
    const file = this.#files.get(label);
    if (!file) throw new Error(`startFile(${label}) first`);
    const first = sample.find((l) => l.trim() !== '');
    if (first !== undefined && file.identity === null) file.identity = hashText(first);
    if (file.pending) {
      file.pending = null;
      file.format = autoFormat(detectFormat(sample.filter((l) => l.trim() !== '').slice(0, DETECT_SAMPLE)));
      this.stats.formats.set(label, file.format.name);
    }
    return file.format as LogFormat;
  }

  /** The identity threat events of `label` are placed with; what a worker is sent with each batch. */
  identityOf(label: string): string {
    return this.#files.get(label)?.identity ?? '';
  }

  /**
   * Take in one batch a worker analysed, in file order: counts, then its threat lines (made
   * for a file of the batch's identity) and signals in line order.
   */
  acceptBatch(label: string, batch: AnalysedBatch): void {
    const file = this.#files.get(label);
    if (!file) throw new Error(`startFile(${label}) first`);
    const stats = this.stats;
    stats.lines += batch.lines;
    stats.parsed += batch.parsed;
    stats.blank += batch.blank;
    stats.garbage += batch.garbage;
    stats.noRequest += batch.noRequest;
    for (const g of batch.garbageSamples)
      if (stats.garbageSamples.length < GARBAGE_SAMPLES) stats.garbageSamples.push(g);
    // Merged by line, so events come in the order the in-process analysis makes them.
    const hits = new BatchHits(batch.hits, batch.names, batch.docs);
    const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    const signals = new BatchSignals(batch.signals, batch.names, bytes);
    let s = 0;
    const behaveUpTo = (index: number): void => {
      for (; s < signals.count && signals.index(s) < index; s++)
        this.#behave(file, signals.signal(s), file.lineNo + signals.index(s) + 1);
    };
    const sameIdentity = batch.identity === (file.identity ?? '');
    for (let h = 0; h < hits.count; h++) {
      const index = hits.index(h);
      behaveUpTo(index);
      const lineNo = file.lineNo + index + 1;
      const lineKey = hits.lineKey(h);
      const occurrence = (file.seen.get(lineKey) ?? 0) + 1;
      file.seen.set(lineKey, occurrence);
      // The worker placed it as its content's first occurrence; a repeated line is placed here.
      const first = sameIdentity && occurrence === 1;
      const id = first ? '' : eventPlace(file.identity ?? '', occurrence, lineKey, file.label, lineNo).id;
      this.#accept(
        new DocEvent(
          first ? hits.firstKey(h) : eventKey(id),
          hits.columns(h),
          first ? hits.firstPlacedDoc(h, lineNo) : hits.placedDoc(h, id, lineNo),
        ),
        null,
      );
    }
    behaveUpTo(Number.POSITIVE_INFINITY);
    file.lineNo += batch.lines;
  }

  /** A counted request through the file's behaviours; a finding becomes an event placed at `lineNo`. */
  #behave(file: FileState, signal: LoggedSignal, lineNo: number): void {
    for (const finding of file.behaviour.request(signal)) {
      const place = findingPlace(file.identity ?? '', finding.ruleId, file.label, lineNo);
      const event = encodeEvent(
        toEvent(finding, {
          seen: 'finding',
          action: 'detected',
          sensor: 'logs',
          threatName: this.#options.threatName,
          id: place.id,
          origin: place.origin,
        }),
      );
      this.stats.findings++;
      this.#batch.push(event);
      tallyEvent(this.stats, event, 'findings');
      this.#options.onEvent?.(event, { kind: 'finding', finding });
    }
  }

  #decideFormat(file: FileState): void {
    const pending = file.pending ?? [];
    file.pending = null;
    file.format = autoFormat(detectFormat(pending.filter((l) => l.trim() !== '')));
    this.stats.formats.set(file.label, file.format.name);
    for (const line of pending) this.#line(file, line);
  }

  #line(file: FileState, line: string): void {
    const stats = this.stats;
    stats.lines++;
    file.lineNo++;
    if (file.identity === null && line.trim() !== '') file.identity = hashText(line);
    const outcome = analyzeLine(
      line,
      file.format as LogFormat,
      this.#options.engine,
      this.#options.fallbackTime?.() ?? 0,
      this.#trusted,
      this.#memo,
    );
    countOutcome(stats, outcome, line);
    if (outcome.kind !== 'threat' && outcome.kind !== 'clean') return;
    if (outcome.kind === 'threat') {
      const place = this.#place(file, hashText(line), file.lineNo);
      const event = threatEvent(line, outcome.observation, outcome.matches, this.#options.threatName, place);
      this.#accept(encodeEvent(event), { kind: 'line', matches: outcome.matches, observation: outcome.observation });
    }
    const signal = loggedSignal(line, outcome.observation);
    if (signal !== null) this.#behave(file, signal, file.lineNo);
  }

  /** A threat line's place; counts the occurrences of its content in the file. */
  #place(file: FileState, lineKey: string, lineNo: number): EventPlace {
    const occurrence = (file.seen.get(lineKey) ?? 0) + 1;
    file.seen.set(lineKey, occurrence);
    return eventPlace(file.identity ?? '', occurrence, lineKey, file.label, lineNo);
  }

  #accept(event: EncodedEvent, detail: EventDetail | null): void {
    this.stats.matchedLines++;
    this.#batch.push(event);
    tallyEvent(this.stats, event, 'count');
    this.#options.onEvent?.(event, detail);
  }
}
