import type { Match } from './finding.js';

/**
 * What the rules that read nothing but the request found in it: the same for every
 * Observation of that request, whoever sent it and whichever sensor saw it. A caller that sees
 * one request many times (a log's attack lines, repeated from source after source) keeps it and
 * asks `Engine.matchKnown`, which runs only the rules that read more (the source, the sensor,
 * the ports) and merges their matches in rule order: `match`'s answer at a fraction of its cost.
 */
export class RequestMatches {
  constructor(
    /** The rules' places in the engine's list, ascending (rule order, the order of the matches). */
    readonly rules: readonly number[],
    readonly matches: readonly Match[],
  ) {}
}

/** Nothing found by the request's own rules. */
export const NO_REQUEST_MATCHES = new RequestMatches([], []);
