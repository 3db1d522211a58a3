import { type CrsMatch, evaluateRule } from './evaluateRule.js';
import { type Gate, gateOf, passesGate } from './gateRule.js';
import { type InitialState, independentPrefix } from './initialState.js';
import { atoi } from './operators/comparison.js';
import type { CrsRequest, CrsResponse } from './request.js';
import { readRequestLine, readResponse } from './requestData.js';
import { GatePlan, RequestGate, type RuleGate } from './requestGate.js';
import type { Phase, RuleLink } from './rule.js';
import type { RuleSet } from './ruleSet.js';
import { Transaction } from './transaction.js';

/** What CRS made of a request: bansho's verdict (block or pass), the scores, and every logged match. */
export interface CrsVerdict {
  readonly blocked: boolean;
  /** The refusal's HTTP status when blocked, else null. */
  readonly status: number | null;
  /** The rule that blocked, when one did. */
  readonly blockedBy: number | null;
  /** tx.blocking_inbound_anomaly_score (CRS 3.3: tx.anomaly_score): what CRS compares with the inbound threshold. */
  readonly inboundScore: number;
  readonly outboundScore: number;
  /** tx.inbound_anomaly_score_threshold: the score at which CRS blocks (5, one critical match, unless configured). */
  readonly inboundThreshold: number;
  readonly matches: readonly CrsMatch[];
}

export interface EngineOptions {
  /** Status of a refusal when the blocking rule names none (ModSecurity's deny default: 403). */
  readonly blockStatus: number;
  /**
   * The shortcuts: the whole-request gate (./requestGate.ts) and phase 1's request-independent
   * start run once (./initialState.ts), the facts about values kept across requests
   * (./valueFacts.ts). Off only to hold them to the plain engine in tests.
   */
  readonly shortcuts?: boolean;
}

type PhaseOutcome = { kind: 'done' } | { kind: 'allow' } | { kind: 'block'; ruleId: number; status: number };

/**
 * Runs a rule set over one request (phases 1 and 2) and, when given, its response (3 and 4),
 * then the logging phase. Pure and synchronous: everything it knows comes in as arguments.
 */
export class CrsEngine {
  private serial = 0;
  /** Per phase and rule list entry, the rule as a gate (./gateRule.ts), or null. */
  private readonly gates: ReadonlyArray<ReadonlyArray<Gate | null>>;
  /** Per phase and rule list entry, the entry's whole-request gate (./requestGate.ts), or null. */
  private readonly ruleGates: ReadonlyArray<ReadonlyArray<RuleGate | null>>;
  private readonly requestGate: RequestGate | null;
  /** The state phase 1's request-independent start leaves (./initialState.ts), null when unusable. */
  private readonly initial: InitialState | null;

  constructor(
    readonly ruleSet: RuleSet,
    private readonly options: EngineOptions,
  ) {
    this.gates = ruleSet.phases.map((items) => items.map((item) => (item.kind === 'rule' ? gateOf(item.rule) : null)));
    const plan = new GatePlan(ruleSet.phases);
    const on = options.shortcuts !== false;
    this.ruleGates = on ? plan.gates : ruleSet.phases.map((items) => items.map(() => null));
    this.requestGate = on ? new RequestGate(plan, ruleSet.prefilters.size) : null;
    this.initial = on ? this.initialState() : null;
  }

  /** Rules of the directory left out because RE2 cannot run their regex (none in CRS v4). */
  get skippedRules(): RuleSet['skipped'] {
    return this.ruleSet.skipped;
  }

  /** `skipRules`: rules left out of this request (as a runtime ctl:ruleRemoveById would). */
  evaluate(request: CrsRequest, response?: CrsResponse, skipRules?: ReadonlySet<number>): CrsVerdict {
    const skipping = skipRules !== undefined && skipRules.size > 0;
    // A rule left out may be one of the independent start's: then the request runs it all.
    const initial = skipping ? null : this.initial;
    const tx = new Transaction(
      this.ruleSet,
      readRequestLine(request),
      response === undefined ? undefined : readResponse(response),
      this.serial++,
      initial?.tx,
      this.options.shortcuts === false ? null : this.ruleSet.facts,
    );
    if (initial !== null) {
      tx.matchedVar = initial.matchedVar;
      tx.matchedVars = [...initial.matchedVars];
      tx.rule = initial.rule;
      tx.capturing = initial.capturing;
    }
    if (skipping) tx.removedIds.push((id) => skipRules.has(id));
    this.requestGate?.begin();
    const matches: CrsMatch[] = [];
    let blockedBy: number | null = null;
    let status: number | null = null;
    const phases: Phase[] = response === undefined ? [1, 2] : [1, 2, 3, 4];
    if (tx.mode !== 'Off') {
      for (const phase of phases) {
        const outcome = this.runPhase(tx, phase, matches, phase === 1 ? (initial?.start ?? 0) : 0);
        if (outcome.kind === 'block') {
          blockedBy = outcome.ruleId;
          status = outcome.status;
          break;
        }
        if (outcome.kind === 'allow') break;
      }
      this.runPhase(tx, 5, matches, 0);
    }
    return {
      blocked: blockedBy !== null,
      status,
      blockedBy,
      // CRS 4 keeps the blocking scores apart; CRS 3.3 has one score per direction.
      inboundScore: atoi((tx.tx.get('blocking_inbound_anomaly_score') ?? tx.tx.get('anomaly_score'))?.value ?? '0'),
      inboundThreshold: atoi(tx.tx.get('inbound_anomaly_score_threshold')?.value ?? '5'),
      outboundScore: atoi(
        (tx.tx.get('blocking_outbound_anomaly_score') ?? tx.tx.get('outbound_anomaly_score'))?.value ?? '0',
      ),
      matches,
    };
  }

  /**
   * Phase 1's request-independent start run once on an empty request: what it leaves, or null
   * when it logs or disrupts (CRS's 901001 when crs-setup is missing), which every request must see.
   */
  private initialState(): InitialState | null {
    const items = this.ruleSet.phases[1] ?? [];
    const start = independentPrefix(items);
    if (start === 0 || this.ruleSet.engineMode === 'Off') return null;
    const empty: CrsRequest = { method: 'GET', uri: '/', version: 'HTTP/1.1', headers: [], body: null, remoteAddr: '' };
    const tx = new Transaction(this.ruleSet, readRequestLine(empty), undefined, 0);
    const matches: CrsMatch[] = [];
    const outcome = this.runPhase(tx, 1, matches, 0, start);
    if (outcome.kind !== 'done' || matches.length > 0 || tx.mode !== this.ruleSet.engineMode) return null;
    const { matchedVar, matchedVars, rule, capturing } = tx;
    return { start, tx: tx.tx, matchedVar, matchedVars, rule, capturing };
  }

  private runPhase(tx: Transaction, phase: Phase, matches: CrsMatch[], from: number, to?: number): PhaseOutcome {
    // The body's variables appear in phase 2; without a body, phase 1's collections stand.
    if (phase === 2 && tx.request.body !== '') {
      tx.collections.clear();
      tx.targetValues.clear();
      this.requestGate?.begin();
    }
    tx.phase = phase;
    const items = this.ruleSet.phases[phase] ?? [];
    const gates = this.gates[phase] ?? [];
    const ruleGates = this.ruleGates[phase] ?? [];
    const markers = this.ruleSet.markers[phase];
    const end = to ?? items.length;
    let skip = 0;
    for (let i = from; i < end; i++) {
      const item = items[i];
      if (item === undefined || item.kind === 'marker') continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      const rule = item.rule;
      if (tx.mode === 'Off') return { kind: 'done' };
      if (tx.isRemoved(rule)) continue;
      const ruleGate = ruleGates[i];
      if (ruleGate != null && !(this.requestGate as RequestGate).admits(tx, ruleGate)) {
        // The rule's first link matches none of its values: what its evaluation would leave.
        tx.rule = rule;
        tx.matchedVars = [];
        tx.capturing = (rule.links[0] as RuleLink).capture;
        continue;
      }
      const gate = gates[i];
      if (gate !== null && gate !== undefined) {
        if (!passesGate(tx, rule, gate)) continue;
      } else {
        const match = evaluateRule(tx, rule);
        if (match === null) continue;
        if (rule.log) matches.push(match);
      }
      // Disruptive actions take effect only when the engine is On (DetectionOnly logs them).
      if (tx.mode === 'On' && phase !== 5) {
        if (rule.disruptive === 'deny' || rule.disruptive === 'drop')
          return { kind: 'block', ruleId: rule.id, status: rule.status ?? this.options.blockStatus };
        if (rule.disruptive === 'allow') return { kind: 'allow' };
      }
      if (rule.flow.kind === 'skipAfter') i = markers?.get(rule.flow.marker) ?? items.length;
      else if (rule.flow.kind === 'skip') skip = rule.flow.count;
    }
    return { kind: 'done' };
  }
}
