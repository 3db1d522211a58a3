/**
 * A log's requests seen before, by their text: the request line and the logged headers, which
 * are all an Observation's request is built from. A log repeats its requests — an attack
 * line comes back from source after source, a missing page is asked for again and again — and
 * for a repeat the request object is taken as it was built, and only the rules that read more
 * than the request run on it (../detect/requestMatches.ts): parsing the request, the
 * prefilter passes and the request's own rules run once per distinct request.
 */
import type { RequestMatches } from '../detect/requestMatches.js';
import type { HttpRequest } from '../observe/observation.js';
import type { LogRecord } from './record.js';

/** What a request's first line left. */
export interface KnownRequest {
  readonly request: HttpRequest;
  readonly known: RequestMatches;
}

/** Requests kept at most; then the memo starts afresh (a log of distinct requests gains nothing from it). */
const MAX_ENTRIES = 4096;
/** Longer keys are not kept: the memo's memory stays bounded whatever the lines. */
const MAX_KEY_CHARS = 4096;

/** One per engine (what the rules found is that engine's). */
export class RequestMemo {
  readonly #entries = new Map<string, KnownRequest>();

  /** The record's request as a key: each part with its length before it, so no two records share one. */
  key(record: LogRecord): string {
    let key = `${record.requestLine.length}:${record.requestLine}`;
    for (const [name, value] of record.headers) key += `${name.length}:${name}${value.length}:${value}`;
    return key;
  }

  get(key: string): KnownRequest | undefined {
    return this.#entries.get(key);
  }

  set(key: string, entry: KnownRequest): void {
    if (key.length > MAX_KEY_CHARS) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, entry);
  }
}
