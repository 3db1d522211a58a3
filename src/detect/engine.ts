import type { Observation } from '../observe/observation.js';
import { type CompiledCondition, type CompiledRule, conditionFields } from './compile.js';
import { Doorkeeper } from './doorkeeper.js';
import { type Evidence, evaluate } from './evaluate.js';
import { readFromRequest } from './fieldNames.js';
import { buildPrefilterPasses, type PrefilterPass } from './fieldPass.js';
import { FieldContext } from './fields.js';
import { EVIDENCE_VALUE_CHARS } from './finding.js';
import { MarkTable } from './markTable.js';
import { PlainGate } from './plainGate.js';
import type { PlainLine } from './plainLine.js';
import { NO_REQUEST_MATCHES, RequestMatches } from './requestMatches.js';
import type { Engine, Match } from './types.js';
import { ChainValues } from './valueScan.js';

export { PREFILTER_MEMO } from './valueScan.js';

/**
 * The compiled rule set. A request first runs one Aho–Corasick pass per distinct prefiltered
 * field (all rules' required literals at once, whatever transformations they want: see
 * ./fieldPass.ts); only rules whose literal was seen, plus the few without a prefilter (cheap
 * method/port/form tests), are evaluated in full — the pass lists them, so the other rules
 * are not even visited.
 */
export class RuleEngine implements Engine {
  readonly rules: readonly CompiledRule[];
  /** Per kind, the rules without a prefilter: evaluated for every Observation of that kind. */
  private readonly unfiltered: Readonly<Record<Observation['kind'], readonly number[]>>;
  private readonly passes: Readonly<Record<Observation['kind'], readonly PrefilterPass[]>>;
  /**
   * The prefilter passes' scratch: the rules to evaluate for the current Observation (stamped
   * in `admitted`, listed in `candidates`), and values go into the prefilter memo on their
   * second sighting (see ./doorkeeper.ts).
   */
  private readonly scratch: {
    admitted: MarkTable;
    stamp: number;
    candidates: number[];
    doorkeeper: Doorkeeper;
    chainValues: ChainValues;
  };
  /** Scratch, reloaded per Observation. */
  private readonly ctx: FieldContext;
  /** The HTTP rules that read more than the request (source, sensor, ports), ascending: what `matchKnown` runs. */
  readonly #contextRules: readonly number[];
  /** 1 for each rule that reads the request alone (an HTTP rule not in #contextRules). */
  readonly #requestOnly: Uint8Array;
  /** The rules `#matchRules` matched, in order, beside its matches. */
  readonly #matched: number[] = [];

  constructor(rules: readonly CompiledRule[]) {
    this.rules = rules;
    this.ctx = new FieldContext(null, targetSpan(rules));
    const unfiltered = (kind: Observation['kind']) =>
      rules.flatMap((r, i) => (r.on === kind && r.prefilter === null ? [i] : []));
    // Datagram rules are few, and each tests a port or an address before its payload (cheapest
    // condition first): evaluated directly, most fail on a number, where a prefilter pass would
    // turn every datagram's payload into text and scan it.
    const datagrams = rules.flatMap((r, i) => (r.on === 'datagram' ? [i] : []));
    this.unfiltered = { http: unfiltered('http'), datagram: datagrams };
    this.passes = { http: buildPrefilterPasses(rules, 'http'), datagram: [] };
    this.#requestOnly = Uint8Array.from(rules, (r) =>
      r.on === 'http' && conditionFields(r.conditions).every(readFromRequest) ? 1 : 0,
    );
    this.#contextRules = rules.flatMap((r, i) => (r.on === 'http' && this.#requestOnly[i] === 0 ? [i] : []));
    this.scratch = {
      admitted: new MarkTable(rules.length),
      stamp: 0,
      candidates: [],
      doorkeeper: new Doorkeeper(16),
      chainValues: new ChainValues(),
    };
  }

  /** See mayMatch; compiled on first use (the gateway never asks). */
  #gate: PlainGate | undefined;

  get ruleCount(): number {
    return this.rules.length;
  }

  /**
   * False when `match` would certainly find nothing: for a plain request (nearly every logged
   * line) one literal scan of its line and headers, no fields split out (./plainGate.ts).
   */
  mayMatch(observation: Observation): boolean {
    this.#gate ??= new PlainGate(this.rules);
    return !this.#gate.clears(observation);
  }

  /** `mayMatch` for a log line's request before it is parsed (./plainLine.ts). */
  mayMatchLine(line: PlainLine): boolean {
    this.#gate ??= new PlainGate(this.rules);
    return !this.#gate.clearsLine(line);
  }

  match(observation: Observation): Match[] {
    return this.#matchRules(observation);
  }

  matchRequest(observation: Observation): { matches: Match[]; known: RequestMatches } {
    const matches = this.#matchRules(observation);
    const matched = this.#matched;
    const rules: number[] = [];
    const own: Match[] = [];
    for (let i = 0; i < matches.length; i++)
      if (this.#requestOnly[matched[i] as number] === 1) {
        rules.push(matched[i] as number);
        own.push(matches[i] as Match);
      }
    return { matches, known: rules.length === 0 ? NO_REQUEST_MATCHES : new RequestMatches(rules, own) };
  }

  /**
   * The request's own rules' matches (`known`) and those of the rules that read more, each of
   * those evaluated in full: a prefilter only spares evaluations that would fail.
   */
  matchKnown(observation: Observation, known: RequestMatches): Match[] {
    if (observation.kind !== 'http') return this.match(observation);
    const ctx = this.ctx;
    ctx.load(observation);
    const matches: Match[] = [];
    const context = this.#contextRules;
    let k = 0;
    for (let c = 0; c < context.length; c++) {
      const index = context[c] as number;
      const rule = this.rules[index] as CompiledRule;
      const evidence = evaluate(rule.conditions, ctx);
      if (evidence === null) continue;
      for (; k < known.rules.length && (known.rules[k] as number) < index; k++) matches.push(known.matches[k] as Match);
      matches.push(toMatch(rule, evidence));
    }
    for (; k < known.rules.length; k++) matches.push(known.matches[k] as Match);
    return matches;
  }

  /** `match`, the rules matched listed in #matched beside. */
  #matchRules(observation: Observation): Match[] {
    // The engine is synchronous and never re-entered, so one set of scratch objects serves every call.
    const matched = this.#matched;
    matched.length = 0;
    const ctx = this.ctx;
    ctx.load(observation);
    const passes = this.passes[observation.kind];
    if (passes.length === 0) return this.#evaluateAll(this.unfiltered[observation.kind], observation, ctx, matched);
    const scratch = this.scratch;
    scratch.stamp = scratch.admitted.nextStamp();
    const candidates = scratch.candidates;
    candidates.length = 0;
    for (let p = 0; p < passes.length; p++) (passes[p] as PrefilterPass).admit(ctx, scratch);
    for (const index of this.unfiltered[observation.kind]) candidates.push(index);
    // Rule order, as the rule set lists them, is the order of the matches.
    sortAscending(candidates);
    const matches: Match[] = [];
    for (let c = 0; c < candidates.length; c++) {
      const rule = this.rules[candidates[c] as number] as CompiledRule;
      const evidence = evaluate(rule.conditions, ctx);
      if (evidence === null) continue;
      matches.push(toMatch(rule, evidence));
      matched.push(candidates[c] as number);
    }
    return matches;
  }

  /** Every rule listed, in order, but those for other ports (a kind without prefilter passes: datagrams). */
  #evaluateAll(rules: readonly number[], observation: Observation, ctx: FieldContext, matched: number[]): Match[] {
    // The list is made at the first match: a datagram that matches nothing (nearly all) costs none.
    let matches: Match[] | null = null;
    const port = observation.destination.port;
    for (let i = 0; i < rules.length; i++) {
      const rule = this.rules[rules[i] as number] as CompiledRule;
      if (rule.destinationPorts !== null && !rule.destinationPorts.has(port)) continue;
      const evidence = evaluate(rule.conditions, ctx);
      if (evidence === null) continue;
      matches ??= [];
      matches.push(toMatch(rule, evidence));
      matched.push(rules[i] as number);
    }
    return matches ?? NO_MATCHES;
  }
}

/**
 * What `#evaluateAll` answers when nothing matched: one list for all. Frozen, so a caller that
 * would add to it fails loudly instead of leaking matches into the next answer.
 */
const NO_MATCHES = Object.freeze([]) as unknown as Match[];

/** In place. Candidate lists are short: insertion sort, without a comparator call per step. */
function sortAscending(list: number[]): void {
  if (list.length > 32) {
    list.sort((a, b) => a - b);
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const x = list[i] as number;
    let j = i - 1;
    while (j >= 0 && (list[j] as number) > x) {
      list[j + 1] = list[j] as number;
      j--;
    }
    list[j + 1] = x;
  }
}

function toMatch(rule: CompiledRule, evidence: Evidence): Match {
  return {
    family: 'rule',
    ruleId: rule.id,
    ruleName: rule.name,
    threatId: rule.threatId,
    severity: rule.severity,
    score: rule.score,
    action: rule.action,
    field: evidence.field,
    value:
      evidence.value.length > EVIDENCE_VALUE_CHARS ? evidence.value.slice(0, EVIDENCE_VALUE_CHARS) : evidence.value,
    tags: rule.tags,
  };
}

/** One past the highest target id the rules use: the size of the per-request caches. */
function targetSpan(rules: readonly CompiledRule[]): number {
  let span = 0;
  const visit = (c: CompiledCondition): void => {
    if (c.kind === 'any') c.of.forEach(visit);
    else for (const t of c.targets) span = Math.max(span, t.id + 1);
  };
  for (const r of rules) {
    r.conditions.forEach(visit);
    for (const e of r.prefilter ?? []) span = Math.max(span, e.target.id + 1);
  }
  return span;
}
