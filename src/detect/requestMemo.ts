/**
 * Requests seen before, by their text. A sensor sees its requests again and again — an attack
 * comes back from source after source, a page is asked for by every visitor, a client repeats
 * its request line and headers byte for byte — and for a repeat the request object is taken as
 * it was built, and only the rules that read more than the request run on it
 * (./requestMatches.ts): building the request, the prefilter passes and the request's own rules
 * run once per distinct request. The log analyzer keys a request by its logged line and headers
 * (../logs/recordKey.ts), the monitor by the bytes cut from the stream
 * (../monitor/judge/rawRequestKey.ts); each key names every part it is made of, so that two
 * requests that differ in any of them never share one.
 *
 * The request object kept is shared by every Observation of that request: nobody may change
 * it (its type is read-only throughout; events and behaviours copy what they keep).
 */
import type { HttpObservation, HttpRequest } from '../observe/observation.js';
import { Doorkeeper } from './doorkeeper.js';
import type { Match } from './finding.js';
import { NO_REQUEST_MATCHES, type RequestMatches } from './requestMatches.js';
import type { Engine } from './types.js';

/** What a request's first sighting left. */
export interface KnownRequest {
  readonly request: HttpRequest;
  readonly known: RequestMatches;
}

/** An engine that can split off what the request's own rules find. */
export type RememberingEngine = Engine & Required<Pick<Engine, 'matchRequest' | 'matchKnown'>>;

export function remembers(engine: Engine): engine is RememberingEngine {
  return engine.matchRequest !== undefined && engine.matchKnown !== undefined;
}

/** Requests kept at most; then the memo starts afresh (a stream of distinct requests gains nothing from it). */
const MAX_ENTRIES = 4096;
/** Longer keys are not kept: the memo's memory stays bounded whatever the requests. */
const MAX_KEY_CHARS = 4096;

const NO_MATCHES: readonly Match[] = Object.freeze([]);

export interface RequestMemoOptions {
  /**
   * Keep a request only once it comes back (./doorkeeper.ts): where few requests repeat byte
   * for byte (the monitor keys by every header), keeping each first sighting would cost the
   * collector more than the repeats spare.
   */
  readonly admitOnRepeat?: boolean;
}

/** One per engine (what the rules found is that engine's). */
export class RequestMemo {
  readonly #entries = new Map<string, KnownRequest>();
  readonly #doorkeeper: Doorkeeper | null;

  constructor(options: RequestMemoOptions = {}) {
    this.#doorkeeper = options.admitOnRepeat === true ? new Doorkeeper() : null;
  }

  get(key: string): KnownRequest | undefined {
    return this.#entries.get(key);
  }

  /**
   * `match`'s answer for `observation`, whose request is the one kept under `key` (`seen`, what
   * `get(key)` gave) or, unseen, is kept there now with what its own rules found.
   */
  match(
    engine: RememberingEngine,
    key: string,
    seen: KnownRequest | undefined,
    observation: HttpObservation,
  ): readonly Match[] {
    if (seen !== undefined) return engine.matchKnown(observation, seen.known);
    const kept = this.#admits(key);
    // A "no" is for every Observation of this request: its own rules find nothing in it.
    if (engine.mayMatch?.(observation) === false) {
      if (kept) this.#set(key, { request: observation.request, known: NO_REQUEST_MATCHES });
      return NO_MATCHES;
    }
    if (!kept) return engine.match(observation);
    const judged = engine.matchRequest(observation);
    this.#set(key, { request: observation.request, known: judged.known });
    return judged.matches;
  }

  #admits(key: string): boolean {
    return key.length <= MAX_KEY_CHARS && (this.#doorkeeper === null || this.#doorkeeper.seenBefore(key, 0));
  }

  #set(key: string, entry: KnownRequest): void {
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, entry);
  }
}
