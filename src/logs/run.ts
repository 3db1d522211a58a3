import type { AnalyzerOptions, EventSink } from './analyzer.js';
import { EVENTS_PER_SINK_CALL, LogAnalyzer } from './analyzer.js';
import { EventDrain } from './eventDrain.js';
import { type FollowItem, followFile } from './follow.js';
import { openLogInput } from './input.js';
import { LineSplitter } from './lineSplitter.js';

export interface FileProblem {
  readonly file: string;
  readonly message: string;
}

export interface AnalyzeResult {
  readonly analyzer: LogAnalyzer;
  /** Events the store did not have yet. */
  readonly added: number;
  /** Events made (added + already stored). */
  readonly made: number;
  readonly problems: FileProblem[];
}

export interface ProgressSink {
  start(totalBytes: number | null): void;
  advance(rawBytes: number, lines: number): void;
  stop(): void;
}

/**
 * Read each file to its end (gzip and `-` included) through one analyzer, handing events to the
 * sink after every chunk. A file that cannot be opened or whose gzip is cut short is reported
 * and the run goes on with what was read.
 */
export function analyzeFiles(
  paths: readonly string[],
  options: AnalyzerOptions,
  sink: EventSink,
  progress?: ProgressSink,
): Promise<AnalyzeResult> {
  return analyzeEachFile(paths, options, sink, progress, (path, analyzer, drain) => {
    const splitter = new LineSplitter();
    let pendingBytes = 0;
    return {
      async read() {
        const input = await openLogInput(path, (n) => {
          pendingBytes += n;
        });
        progress?.start(input.size);
        for await (const chunk of input.chunks) {
          const lines = splitter.push(chunk);
          analyzer.lines(path, lines);
          progress?.advance(pendingBytes, lines.length);
          pendingBytes = 0;
          if (analyzer.pendingEvents >= EVENTS_PER_SINK_CALL) await drain.flush();
        }
      },
      settle: () => analyzer.lines(path, splitter.flush()),
    };
  });
}

/** How one file is read into an analysis (see analyzeEachFile). */
export interface FileReading {
  /** Read the file into the analyzer; what it throws is the file's problem. */
  read(): Promise<void>;
  /** Then, whether or not `read` failed: what it held back goes to the analyzer. */
  settle(): void | Promise<void>;
}

/**
 * An analysis's frame: each file started, read, settled, ended and its events handed to the
 * sink. A file that cannot be opened or whose gzip is cut short is reported, and the run goes
 * on with what was read of it.
 */
export async function analyzeEachFile(
  paths: readonly string[],
  options: AnalyzerOptions,
  sink: EventSink,
  progress: ProgressSink | undefined,
  reading: (path: string, analyzer: LogAnalyzer, drain: EventDrain) => FileReading,
): Promise<AnalyzeResult> {
  const analyzer = new LogAnalyzer(options);
  const problems: FileProblem[] = [];
  const drain = new EventDrain(analyzer, sink);
  for (const path of paths) {
    analyzer.startFile(path);
    const file = reading(path, analyzer, drain);
    try {
      await file.read();
    } catch (err) {
      problems.push({ file: path, message: err instanceof Error ? err.message : String(err) });
    }
    await file.settle();
    analyzer.endFile(path);
    await drain.flush();
    progress?.stop();
  }
  return { analyzer, added: drain.added, made: drain.made, problems };
}

export interface FollowRun {
  /** Resolves when every file's follower has stopped (after `signal` aborts). */
  readonly done: Promise<void>;
  readonly analyzer: LogAnalyzer;
  /** Events the store did not have yet, so far. */
  added(): number;
}

/**
 * Follow files like `tail -F`, analysing what is appended (and, with `fromStart`, what is
 * already there). A rotated file's successor gets its own identity, so lines of the new file
 * never collide with the old one's.
 */
export function followFiles(
  paths: readonly string[],
  options: AnalyzerOptions,
  sink: EventSink,
  follow: { signal: AbortSignal; fromStart?: boolean; pollMs?: number },
): FollowRun {
  const analyzer = new LogAnalyzer(options);
  let added = 0;
  let chain = Promise.resolve();
  // One sink call at a time, in order, whichever file the events came from.
  const flush = (): Promise<void> => {
    chain = chain.then(async () => {
      const events = analyzer.takeEvents();
      if (events.length > 0) added += await sink(events);
    });
    return chain;
  };
  const one = async (path: string): Promise<void> => {
    let splitter = new LineSplitter();
    analyzer.startFile(path);
    const items = followFile(path, {
      signal: follow.signal,
      fromStart: follow.fromStart ?? true,
      ...(follow.pollMs !== undefined ? { pollMs: follow.pollMs } : {}),
    });
    for await (const item of items as AsyncIterable<FollowItem>) {
      if (item.kind === 'data') {
        analyzer.lines(path, splitter.push(item.chunk));
        analyzer.settle(path);
      } else {
        analyzer.lines(path, splitter.flush());
        analyzer.startFile(path);
        splitter = new LineSplitter();
      }
      await flush();
    }
    analyzer.lines(path, splitter.flush());
    analyzer.endFile(path);
    await flush();
  };
  const done = Promise.all(paths.map(one)).then(() => chain);
  return { done, analyzer, added: () => added };
}
