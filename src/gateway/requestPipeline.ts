import { banTargetFor } from '../defense/address.js';
import type { SourceScores } from '../defense/sourceScores.js';
import { EVIDENCE_VALUE_CHARS } from '../detect/finding.js';
import type { Engine, Match } from '../detect/types.js';
import { decide, type VerdictPolicy } from '../detect/verdict.js';
import type { HttpObservation } from '../observe/observation.js';
import { fallbackMatch, type Refusal, refusalStatus } from './refusal.js';

/**
 * What the gateway does with one request, decided from the Observation alone (plus the
 * source's running score): no sockets here, so every branch is testable with plain values.
 */
export type Decision =
  /** Pass it on; `matches` are log-level findings to record. */
  | { readonly kind: 'forward'; readonly matches: readonly Match[] }
  /** Refuse with `status`; `ban` when the request, or the source's score, earns a ban. */
  | {
      readonly kind: 'refuse';
      readonly status: number;
      readonly matches: readonly Match[];
      readonly ban: boolean;
    };

export interface PipelineOptions {
  readonly blockScore: number | null;
  readonly onEngineError: 'block' | 'forward';
  /** Told of every engine failure (counted and logged by the caller). */
  readonly engineFailed: (observation: HttpObservation, err: unknown) => void;
}

const ENGINE_FAILURE: Match = {
  family: 'rule',
  ruleId: 'gateway-engine-error',
  ruleName: 'the rule engine failed on this request',
  threatId: 'malformed-request',
  severity: 'low',
  score: 0,
  action: 'block',
  field: 'request.line',
  value: '',
  tags: ['gateway'],
};

export class RequestPipeline {
  readonly #engine: () => Engine;
  readonly #scores: Pick<SourceScores, 'add' | 'forget' | 'wouldCross'>;
  readonly #options: PipelineOptions;
  /** `decide`'s options, made once rather than per request. */
  readonly #verdictOptions: VerdictPolicy;

  constructor(
    engine: () => Engine,
    scores: Pick<SourceScores, 'add' | 'forget' | 'wouldCross'>,
    options: PipelineOptions,
  ) {
    this.#engine = engine;
    this.#scores = scores;
    this.#options = options;
    this.#verdictOptions = options.blockScore !== null ? { blockScore: options.blockScore } : {};
  }

  /**
   * Rules first; the verdict from their matches. When the gateway itself must refuse the
   * request (`refusal`: CONNECT, a foreign authority, a refused parse) it is at least refused,
   * whatever the rules said. Low-grade matches add to the source's score, which can ban.
   * `beforeBody`: a first look at a request whose body is still to come (`Expect:
   * 100-continue`): it may refuse, but adds nothing to the score — the judgement with the
   * body, which sees the same headers again, does; otherwise they would count twice.
   */
  decide(observation: HttpObservation, refusal: Refusal | null, stage: 'final' | 'beforeBody' = 'final'): Decision {
    let matches: Match[];
    try {
      matches = this.#engine().match(observation);
    } catch (err) {
      this.#options.engineFailed(observation, err);
      if (this.#options.onEngineError === 'forward' && refusal === null) return { kind: 'forward', matches: [] };
      matches = [{ ...ENGINE_FAILURE, value: observation.request.line.slice(0, EVIDENCE_VALUE_CHARS) }];
    }
    const verdict = decide(matches, this.#verdictOptions);
    const status = refusal !== null ? refusalStatus(refusal) : blockStatus(verdict);
    if (verdict.kind === 'ban') return { kind: 'refuse', status, matches: verdict.matches, ban: true };
    if (refusal !== null && verdict.kind !== 'block')
      matches = [...matches, fallbackMatch(refusal, observation.request)];
    if (verdict.kind === 'allow' && refusal === null) return { kind: 'forward', matches: [] };
    const ban = this.#scoreCrosses(observation, matches, stage === 'final');
    if (refusal === null && verdict.kind === 'log' && !ban) return { kind: 'forward', matches };
    return { kind: 'refuse', status, matches, ban };
  }

  /**
   * Low-grade matches add up per source over a sliding window (CrowdSec's leaky bucket): a
   * source that keeps probing is banned once its sum crosses the threshold.
   */
  #scoreCrosses(observation: HttpObservation, matches: readonly Match[], add: boolean): boolean {
    let score = 0;
    for (const m of matches) score += m.score;
    if (score === 0) return false;
    let key: string;
    try {
      key = banTargetFor(observation.source.ip);
    } catch {
      return false;
    }
    const crosses = add
      ? this.#scores.add(key, score, observation.time).overThreshold
      : this.#scores.wouldCross(key, score, observation.time);
    if (!crosses) return false;
    this.#scores.forget(key);
    return true;
  }
}

/** The status a blocking rule asked for (CRS: 403 by default), else the gateway's 400. */
function blockStatus(verdict: ReturnType<typeof decide>): number {
  if (verdict.kind === 'allow') return 400;
  for (const m of verdict.matches)
    if (m.family === 'rule' && m.action === 'block' && m.status !== undefined) return m.status;
  return 400;
}
