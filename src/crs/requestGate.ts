import { RequestValue } from './inspectedValue.js';
import { admitsSlot } from './operators/rxPrefilter.js';
import type { RuleLink, RuleListItem } from './rule.js';
import { isLive, refText, type VariableRef } from './targets.js';
import type { Transaction } from './transaction.js';
import { chainSteps, type TransformChain } from './transformChain.js';
import { collectValues } from './variables.js';

/**
 * The whole-request gate. Most rules a benign request meets start with a plain `@rx` on request
 * values (ARGS, cookies, headers …) whose required literals the request holds nowhere. The
 * per-value prefilter (operators/rxPrefilter.ts) already refuses them, but one rule and one
 * value at a time: list the values, transform each, look its admission up, test one bit. Here
 * the rules that inspect the same targets form a group; per request and phase, the first rule
 * of a group to run takes the union of the admissions of the group's values under every
 * pipeline the group's rules use (the same memoised admissions the rules' own runs read: a
 * value that triggers none of a pipeline's steps but case shares its raw admission), and every
 * rule of the group then tests one bit of it. A rule whose slot is not in the union cannot
 * match any of its values: it is passed over exactly as its evaluation would have failed.
 * Sound because the union is taken over a superset of the values the rule inspects (the
 * rule's and the transaction's exclusions only remove values) and of the forms it tests (every
 * step of a multiMatch pipeline). test/crs/requestGate.test.ts holds it to the ungated engine.
 */
export interface RuleGate {
  readonly group: number;
  /** The regex's slot in the prefilter's admission table. */
  readonly slot: number;
}

interface Group {
  readonly refs: readonly VariableRef[];
  /** Every pipeline whose forms the group's rules test (each step of a multiMatch one). */
  readonly chains: TransformChain[];
}

/** Which rule list entries are gated, and the groups: built once per rule set. */
export class GatePlan {
  /** Per phase, per rule list entry: the entry's gate, or null when it always runs. */
  readonly gates: ReadonlyArray<ReadonlyArray<RuleGate | null>>;
  readonly groups: readonly Group[];

  constructor(phases: ReadonlyArray<readonly RuleListItem[]>) {
    const groups: Group[] = [];
    const byKey = new Map<string, number>();
    this.gates = phases.map((items) =>
      items.map((item) => {
        if (item.kind !== 'rule') return null;
        const link = item.rule.links[0];
        if (link === undefined || !gateable(link)) return null;
        const body = link.operator.body as { kind: 'rx'; prefilter: { index: number } };
        const refs = link.targets.include;
        const key = refs.map(refText).join('|');
        let group = byKey.get(key);
        if (group === undefined) {
          group = groups.length;
          byKey.set(key, group);
          groups.push({ refs, chains: [] });
        }
        const chains = (groups[group] as Group).chains;
        for (const chain of link.multiMatch ? chainSteps(link.transformations) : [link.transformations])
          if (!chains.includes(chain)) chains.push(chain);
        return { group, slot: body.prefilter.index };
      }),
    );
    this.groups = groups;
  }
}

/**
 * A first link the gate can judge: a plain `@rx` with required literals, on targets whose
 * values do not change within a phase (Targets.key), none of them a count — or REQUEST_BODY,
 * which a ctl action may switch on or off but whose only value, the body, an empty body makes
 * the empty string, which holds no literal (CRS's 944 rules read it beside ARGS and headers).
 */
function gateable(link: RuleLink): boolean {
  const op = link.operator;
  if (op.negated || op.body.kind !== 'rx' || op.body.prefilter.index < 0) return false;
  if (link.targets.include.length === 0) return false;
  for (const ref of link.targets.include) {
    if (ref.count) return false;
    if (link.targets.key === null && ref.name !== 'REQUEST_BODY' && isLive(ref.name)) return false;
  }
  return true;
}

/**
 * The gate's state for the requests of one engine, reused: a group's union is current when it
 * holds the epoch of the request's phase, so nothing is cleared or allocated per request but
 * the unions a request takes.
 */
export class RequestGate {
  private epoch = 0;
  /** Per group: the epoch its union was taken in. */
  private readonly taken: Float64Array;
  /** Per group: the epoch in which one of its values was no request value (then every rule runs). */
  private readonly open: Float64Array;
  /** Per group: its union, 32 slots a word. */
  private readonly unions: readonly Uint32Array[];
  private readonly width: number;

  constructor(
    private readonly plan: GatePlan,
    slots: number,
  ) {
    this.width = (slots + 31) >>> 5;
    this.taken = new Float64Array(plan.groups.length);
    this.open = new Float64Array(plan.groups.length);
    this.unions = plan.groups.map(() => new Uint32Array(this.width));
  }

  /** A new request, or a phase whose collections were rebuilt (the body's): every union is stale. */
  begin(): void {
    this.epoch++;
  }

  /** Whether the gated rule may match: its slot is in its group's union. */
  admits(tx: Transaction, gate: RuleGate): boolean {
    const group = gate.group;
    if (this.taken[group] !== this.epoch) this.take(tx, group);
    return this.open[group] === this.epoch || admitsSlot(this.unions[group] as Uint32Array, gate.slot);
  }

  private take(tx: Transaction, group: number): void {
    this.taken[group] = this.epoch;
    const { refs, chains } = this.plan.groups[group] as Group;
    const union = this.unions[group] as Uint32Array;
    union.fill(0);
    const cache = tx.transforms;
    const prefilters = tx.ruleSet.prefilters;
    for (const ref of refs) {
      if (ref.name === 'REQUEST_BODY') {
        // Its value, when there is one, is the body: nothing to admit when empty, else unknown.
        if (tx.request.body === '') continue;
        this.open[group] = this.epoch;
        return;
      }
      for (const v of collectValues(tx, ref, NO_EXCLUSIONS)) {
        if (!(v instanceof RequestValue)) {
          this.open[group] = this.epoch;
          return;
        }
        let last: Uint32Array | undefined;
        for (const chain of chains) {
          const words = v.admitted(chain, cache, prefilters);
          // Pipelines the value triggers no step of (but case) share one admission: OR it once.
          if (words === last) continue;
          last = words;
          for (let w = 0; w < words.length; w++) union[w] = (union[w] as number) | (words[w] as number);
        }
      }
    }
  }
}

const NO_EXCLUSIONS: readonly VariableRef[] = [];
