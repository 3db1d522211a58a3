import { expandMacro, type MacroScope } from './macros.js';
import type { NamedMembers, NamedValue } from './namedValue.js';
import { atoi } from './operators/comparison.js';
import type { OperatorScope } from './operators/evaluate.js';
import type { Admission } from './operators/rxPrefilter.js';
import { type BodyData, processBody } from './requestBody.js';
import type { RequestLineData, ResponseData } from './requestData.js';
import { type BodyProcessorName, type Ctl, type EngineMode, inRanges, type Rule, type SetVar } from './rule.js';
import type { RuleSet } from './ruleSet.js';
import { removalOf, type TargetRemoval } from './targetRemoval.js';
import type { TransactionState } from './transactionState.js';
import type { TransformCache } from './transformChain.js';
import { ValueFacts, type ValueFactsCache } from './valueFacts.js';
import { resolveScalar } from './variables.js';

export type { NamedValue, TargetRemoval };

/**
 * The state of one request's evaluation (Coraza's Transaction): the TX collection, what the
 * last rule matched, runtime rule removals, and the request data with its lazily read body.
 */
export class Transaction implements MacroScope, OperatorScope, TransactionState {
  readonly tx: Map<string, NamedValue>;
  matchedVar: NamedValue | undefined;
  matchedVars: NamedValue[] = [];
  mode: EngineMode;
  processor: BodyProcessorName | null;
  forceRequestBodyVariable = false;
  requestBodyAccess = true;
  readonly removedIds: Array<(id: number) => boolean> = [];
  readonly removedTags = new Set<string>();
  readonly removedTargets: TargetRemoval[] = [];
  /** The rule being evaluated, for `%{rule.id}` and target removals. */
  rule: Rule | undefined;
  capturing = false;
  /** What the last capturing operator stored in TX.0 … TX.9, for the value's facts (see evaluateRule.ts). */
  captured: ReadonlyArray<string | undefined> | null = null;
  /** The phase being evaluated: the body is read from phase 2 on. */
  phase = 1;
  private bodyData: BodyData | undefined;

  readonly uniqueId: string;
  /** Request collections as rules see them, per phase (see variables.ts). */
  readonly collections = new Map<string, NamedMembers>();
  /** Per phase: the values of static target lists, by their text (see Targets.key). */
  readonly targetValues = new Map<string, NamedValue[]>();

  constructor(
    readonly ruleSet: RuleSet,
    readonly request: RequestLineData,
    readonly response: ResponseData | undefined,
    serial: number,
    /** TX as the request-independent start of phase 1 leaves it (./initialState.ts). */
    initialTx?: ReadonlyMap<string, NamedValue>,
    /** The rule set's facts about values, or null to learn everything afresh (the plain engine). */
    private readonly facts: ValueFactsCache | null = null,
  ) {
    this.tx = new Map(initialTx);
    this.mode = ruleSet.engineMode;
    this.processor = request.defaultProcessor;
    this.uniqueId = `${Date.now().toString(16)}${serial.toString(16).padStart(8, '0')}`;
  }

  /** The body as the processor reads it: read once, at the first phase-2 look. */
  body(): BodyData {
    this.bodyData ??= processBody(
      this.requestBodyAccess ? this.processor : null,
      this.request.body,
      this.request.contentType,
    );
    return this.bodyData;
  }

  factsOf(value: string): ValueFacts {
    return this.facts === null ? new ValueFacts(value) : this.facts.of(value);
  }

  /** Where the link's operator verdicts on `v` are kept (see valueFacts.ts), or null. */
  verdictsOf(v: ValueFacts): Uint8Array | null {
    if (this.facts === null) return null;
    v.verdicts ??= new Uint8Array(this.facts.slots);
    return v.verdicts;
  }

  resolve(collection: string, key: string | undefined): string {
    if (collection === 'TX' && key !== undefined) return this.tx.get(key.toLowerCase())?.value ?? '';
    if (collection === 'RULE') return this.ruleField(key ?? '');
    if (key === undefined) return resolveScalar(this, collection) ?? '';
    return resolveScalar(this, `${collection}:${key}`) ?? '';
  }

  setCaptures(groups: ReadonlyArray<string | undefined>): void {
    this.captured = groups;
    for (let i = 0; i < 10; i++) {
      if (i < groups.length) this.tx.set(String(i), { name: `TX:${i}`, value: groups[i] ?? '' });
      else this.tx.delete(String(i));
    }
  }

  get transforms(): TransformCache {
    return this.ruleSet.transforms;
  }

  admitted(text: string): Admission {
    return this.ruleSet.prefilters.admitted(text);
  }

  isRemoved(rule: Rule): boolean {
    for (const test of this.removedIds) if (test(rule.id)) return true;
    if (this.removedTags.size > 0) for (const tag of rule.tags) if (this.removedTags.has(tag)) return true;
    return false;
  }

  setVar(op: SetVar): void {
    if (op.kind === 'persistent') return;
    const name = expandMacro(op.name, this);
    const key = name.toLowerCase();
    switch (op.kind) {
      case 'delete':
        this.tx.delete(key);
        return;
      case 'set':
        this.tx.set(key, { name: `TX:${name}`, value: expandMacro(op.value, this) });
        return;
      case 'add': {
        const current = atoi(this.tx.get(key)?.value ?? '0');
        const delta = atoi(expandMacro(op.value, this));
        this.tx.set(key, { name: `TX:${name}`, value: String(current + op.sign * delta) });
        return;
      }
    }
  }

  control(ctl: Ctl): void {
    switch (ctl.kind) {
      case 'ruleRemoveById':
        this.removedIds.push((id) => inRanges(id, ctl.ranges));
        return;
      case 'ruleRemoveByTag':
        this.removedTags.add(ctl.tag);
        return;
      case 'ruleRemoveTargetById':
      case 'ruleRemoveTargetByTag':
        this.removedTargets.push(removalOf(ctl));
        return;
      case 'ruleEngine':
        this.mode = ctl.mode;
        return;
      case 'requestBodyProcessor':
        this.processor = ctl.processor;
        return;
      case 'forceRequestBodyVariable':
        this.forceRequestBodyVariable = ctl.on;
        return;
      case 'requestBodyAccess':
        this.requestBodyAccess = ctl.on;
        return;
      case 'noEffect':
        return;
    }
  }

  private ruleField(key: string): string {
    const rule = this.rule;
    if (rule === undefined) return '';
    switch (key.toLowerCase()) {
      case 'id':
        return String(rule.id);
      case 'msg':
        return rule.msg === undefined ? '' : expandMacro(rule.msg, this);
      case 'severity':
        return rule.severity === undefined ? '' : String(rule.severity);
      case 'ver':
        return rule.ver ?? '';
      case 'logdata':
        return rule.logdata === undefined ? '' : expandMacro(rule.logdata, this);
      default:
        return '';
    }
  }
}
