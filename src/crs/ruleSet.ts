import { parseActionList } from './actionList.js';
import { CrsError, type SourceLocation } from './errors.js';
import { compileOperator } from './operators/index.js';
import { RxPrefilterRegistry } from './operators/rxPrefilter.js';
import type { Directive } from './parser.js';
import { type EngineMode, inRanges, type Phase, type Rule, type RuleLink, type RuleListItem } from './rule.js';
import { engineMode, type ParsedActions, parseIdRanges, parseRuleActions } from './ruleActions.js';
import { parseTargets, type Targets, targetsKey } from './targets.js';
import type { TransformationName } from './transformations/index.js';
import { chainSteps, TransformCache, TransformChainRegistry } from './transformChain.js';
import { ValueFactsCache } from './valueFacts.js';

/** Every rule in load order, grouped by phase, with what the engine needs to run them. */
export interface RuleSet {
  /** Per phase (index 1–5), rules and markers in load order. */
  readonly phases: ReadonlyArray<readonly RuleListItem[]>;
  /** Per phase, marker name → index of the marker in that phase's list. */
  readonly markers: ReadonlyArray<ReadonlyMap<string, number>>;
  readonly engineMode: EngineMode;
  readonly prefilters: RxPrefilterRegistry;
  readonly chains: TransformChainRegistry;
  /** Transformed values, shared by the rule set's transactions. */
  readonly transforms: TransformCache;
  /** What the rules learned of value strings, across requests (./valueFacts.ts). */
  readonly facts: ValueFactsCache;
  readonly ruleCount: number;
  /** Rules left out because RE2 cannot run their regex (CRS 3.3's lookaheads and backreferences). */
  readonly skipped: readonly SkippedRule[];
  /** Every regex the rules compiled (for the snapshot cache: these compile). */
  readonly regexes: ReadonlyArray<{ pattern: string; caseInsensitive: boolean; dotAll: boolean }>;
}

export interface SkippedRule {
  readonly id: number;
  readonly where: SourceLocation;
  readonly reason: string;
}

interface PhaseDefault {
  disruptive: ParsedActions['disruptive'];
  log: boolean;
  transformations: TransformationName[];
  status: number | undefined;
}

/** Directives that configure a web server's ModSecurity module; a pure engine has nothing to do for them. */
const SERVER_SETTINGS = new Set(
  [
    'SecRequestBodyAccess',
    'SecResponseBodyAccess',
    'SecResponseBodyMimeType',
    'SecRequestBodyLimit',
    'SecRequestBodyNoFilesLimit',
    'SecRequestBodyLimitAction',
    'SecRequestBodyJsonDepthLimit',
    'SecResponseBodyLimit',
    'SecResponseBodyLimitAction',
    'SecPcreMatchLimit',
    'SecPcreMatchLimitRecursion',
    'SecComponentSignature',
    'SecCollectionTimeout',
    'SecAuditEngine',
    'SecAuditLog',
    'SecAuditLogParts',
    'SecAuditLogType',
    'SecAuditLogRelevantStatus',
    'SecAuditLogStorageDir',
    'SecDebugLog',
    'SecDebugLogLevel',
    'SecTmpDir',
    'SecDataDir',
    'SecUploadDir',
    'SecUploadKeepFiles',
    'SecStatusEngine',
    'SecServerSignature',
    'SecUnicodeMapFile',
    'SecArgumentsLimit',
  ].map((d) => d.toLowerCase()),
);

export class RuleSetBuilder {
  private readonly items: RuleListItem[] = [];
  private readonly defaults = new Map<Phase, PhaseDefault>();
  private pending: {
    starter: ParsedActions;
    links: RuleLink[];
    where: SourceLocation;
    skip: string | null;
  } | null = null;
  private readonly skipped: SkippedRule[] = [];
  private mode: EngineMode = 'On';
  /** Operator slots handed out so far (RuleLink.slot). */
  private slots = 0;
  readonly prefilters = new RxPrefilterRegistry();
  readonly chains = new TransformChainRegistry();

  /** `known`: the patterns a snapshot of these rules saw compile (`regexKey`), compiled at their first test. */
  constructor(private readonly known: ReadonlySet<string> = new Set()) {}

  add(d: Directive): void {
    const name = d.name.toLowerCase();
    if (this.pending !== null && name !== 'secrule')
      throw new CrsError('E_CRS_SYNTAX', d.where, `${d.name} inside a chain (the rule before it ends with "chain")`);
    switch (name) {
      case 'secrule':
        this.addRule(d, arg(d, 0), arg(d, 1), d.args[2] ?? '');
        return;
      case 'secaction':
        this.addRule(d, '', '@unconditionalMatch', d.args[0] ?? '');
        return;
      case 'secmarker':
        this.items.push({ kind: 'marker', name: arg(d, 0) });
        return;
      case 'secdefaultaction':
        this.setDefault(d);
        return;
      case 'secruleengine': {
        const mode = engineMode(arg(d, 0));
        if (mode === undefined) throw new CrsError('E_CRS_SYNTAX', d.where, `bad SecRuleEngine ${arg(d, 0)}`);
        this.mode = mode;
        return;
      }
      case 'secruleremovebyid':
        this.removeWhere((r) => d.args.some((a) => inRanges(r.id, parseIdRanges(a, d.where))));
        return;
      case 'secruleremovebytag':
        this.removeWhere((r) => d.args.some((tag) => r.tags.includes(tag)));
        return;
      case 'secruleremovebymsg':
        this.removeWhere((r) => d.args.some((m) => r.msg?.constant === m));
        return;
      case 'secruleupdatetargetbyid':
        this.updateTargets(d, (r) => inRanges(r.id, parseIdRanges(arg(d, 0), d.where)));
        return;
      case 'secruleupdatetargetbytag':
        this.updateTargets(d, (r) => r.tags.includes(arg(d, 0)));
        return;
      case 'secargumentseparator':
        if (arg(d, 0) !== '&') throw new CrsError('E_CRS_UNSUPPORTED', d.where, 'only & separates arguments');
        return;
      default:
        if (SERVER_SETTINGS.has(name)) return;
        throw new CrsError('E_CRS_UNSUPPORTED', d.where, `directive ${d.name} is not supported`);
    }
  }

  build(file: string): RuleSet {
    if (this.pending !== null) throw new CrsError('E_CRS_SYNTAX', this.pending.where, 'chain without its last rule');
    const phases: RuleListItem[][] = [[], [], [], [], [], []];
    for (const item of this.items) {
      // Markers belong to every phase: skipAfter jumps within the phase it runs in.
      if (item.kind === 'marker') for (let p = 1; p <= 5; p++) phases[p]?.push(item);
      else phases[item.rule.phase]?.push(item);
    }
    const markers = phases.map((list) => {
      const m = new Map<string, number>();
      list.forEach((item, index) => {
        if (item.kind === 'marker') m.set(item.name, index);
      });
      return m;
    });
    for (const list of phases)
      for (const item of list)
        if (item.kind === 'rule' && item.rule.flow.kind === 'skipAfter' && !markers[1]?.has(item.rule.flow.marker))
          throw new CrsError(
            'E_CRS_COMPILE',
            item.rule.where,
            `skipAfter: no SecMarker ${item.rule.flow.marker} (${file})`,
          );
    const rules = this.items.flatMap((i) => (i.kind === 'rule' ? [i.rule] : []));
    return {
      phases,
      markers,
      engineMode: this.mode,
      prefilters: this.prefilters,
      chains: this.chains,
      transforms: new TransformCache(this.chains.size),
      facts: new ValueFactsCache(this.slots),
      ruleCount: rules.length,
      skipped: this.skipped,
      regexes: compiledRegexes(rules),
    };
  }

  private addRule(d: Directive, targetText: string, operatorText: string, actionText: string): void {
    const actions = parseRuleActions(parseActionList(actionText, d.where), d.where);
    const starter = this.pending?.starter ?? actions;
    const phase = starter.phase ?? 2;
    const fallback = this.defaults.get(phase);
    const names = actions.resetTransformations
      ? actions.transformations
      : [...(fallback?.transformations ?? []), ...actions.transformations];
    const targets: Targets =
      targetText === '' ? { include: [], exclude: [], key: null } : parseTargets(targetText, d.where);
    let operator: RuleLink['operator'];
    let skip: string | null = null;
    try {
      operator = compileOperator(operatorText, { where: d.where, registry: this.prefilters, known: this.known });
    } catch (err) {
      if (!(err instanceof CrsError) || err.code !== 'E_CRS_REGEX') throw err;
      skip = err.message;
      operator = compileOperator('@noMatch', { where: d.where, registry: this.prefilters, known: this.known });
    }
    const transformations = this.chains.chain(names);
    let slot = -1;
    // A negated capturing operator captures when it does not match: its misses are not plain misses.
    if (verdictOfValueAlone(operator) && !(actions.capture && operator.negated)) {
      slot = this.slots;
      this.slots += actions.multiMatch ? chainSteps(transformations).length : 1;
    }
    const link: RuleLink = {
      targets,
      operator,
      transformations,
      multiMatch: actions.multiMatch,
      capture: actions.capture,
      effects: actions.effects,
      where: d.where,
      slot,
    };
    if (this.pending === null) this.pending = { starter: actions, links: [], where: d.where, skip: null };
    this.pending.links.push(link);
    this.pending.skip ??= skip;
    if (actions.chain) return;
    const { links, where } = this.pending;
    const reason = this.pending.skip;
    this.pending = null;
    if (reason !== null) this.skipped.push({ id: starter.id ?? 0, where, reason });
    else this.items.push({ kind: 'rule', rule: this.finish(starter, links, where, phase, fallback) });
  }

  private finish(
    s: ParsedActions,
    links: RuleLink[],
    where: SourceLocation,
    phase: Phase,
    fallback: PhaseDefault | undefined,
  ): Rule {
    if (s.skipAfter !== undefined && s.skip !== undefined)
      throw new CrsError('E_CRS_SYNTAX', where, 'both skip and skipAfter');
    const flow: Rule['flow'] =
      s.skipAfter !== undefined
        ? { kind: 'skipAfter', marker: s.skipAfter }
        : s.skip !== undefined
          ? { kind: 'skip', count: s.skip }
          : { kind: 'none' };
    // `block` means "the default action's disruptive action" (CRS's default is pass: scores decide).
    const own = s.disruptive ?? 'block';
    const disruptive = own === 'block' ? (fallback?.disruptive ?? 'pass') : own;
    return {
      id: s.id ?? 0,
      phase,
      links,
      msg: s.msg,
      logdata: s.logdata,
      tags: s.tags,
      severity: s.severity,
      ver: s.ver,
      disruptive: disruptive === 'block' ? 'pass' : disruptive,
      status: s.status ?? fallback?.status,
      log: s.log ?? fallback?.log ?? true,
      flow,
      where,
    };
  }

  private setDefault(d: Directive): void {
    const a = parseRuleActions(parseActionList(arg(d, 0), d.where), d.where);
    if (a.phase === undefined) throw new CrsError('E_CRS_SYNTAX', d.where, 'SecDefaultAction needs a phase');
    this.defaults.set(a.phase, {
      disruptive: a.disruptive,
      log: a.log ?? true,
      transformations: a.transformations,
      status: a.status,
    });
  }

  private removeWhere(test: (r: Rule) => boolean): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const item = this.items[i] as RuleListItem;
      if (item.kind === 'rule' && test(item.rule)) this.items.splice(i, 1);
    }
  }

  /** SecRuleUpdateTargetById/ByTag: more targets or exclusions for the chain starter of earlier rules. */
  private updateTargets(d: Directive, test: (r: Rule) => boolean): void {
    const added = parseTargets(arg(d, 1), d.where);
    if (d.args[2] !== undefined)
      throw new CrsError('E_CRS_UNSUPPORTED', d.where, 'target replacement is not supported');
    this.items.forEach((item, i) => {
      if (item.kind !== 'rule' || !test(item.rule)) return;
      const [first, ...rest] = item.rule.links as [RuleLink, ...RuleLink[]];
      const include = [...first.targets.include, ...added.include];
      const targets: Targets = {
        include,
        exclude: [...first.targets.exclude, ...added.exclude],
        key: first.targets.key === null ? null : targetsKey(include, `${first.targets.key}|${arg(d, 1)}`),
      };
      this.items[i] = { kind: 'rule', rule: { ...item.rule, links: [{ ...first, targets }, ...rest] } };
    });
  }
}

/** Operators whose verdict is a pure function of the value and worth keeping (see valueFacts.ts). */
function verdictOfValueAlone(operator: RuleLink['operator']): boolean {
  switch (operator.body.kind) {
    case 'rx':
    case 'pm':
    case 'ipMatch':
    case 'validateByteRange':
    case 'validateUrlEncoding':
    case 'validateUtf8Encoding':
    case 'detectSQLi':
    case 'detectXSS':
      return true;
    default:
      return false;
  }
}

function arg(d: Directive, index: number): string {
  const value = d.args[index];
  if (value === undefined) throw new CrsError('E_CRS_SYNTAX', d.where, `${d.name} needs argument ${index + 1}`);
  return value;
}

function compiledRegexes(rules: readonly Rule[]): RuleSet['regexes'] {
  const out = new Map<string, { pattern: string; caseInsensitive: boolean; dotAll: boolean }>();
  for (const rule of rules)
    for (const link of rule.links) {
      const op = link.operator.body;
      if (op.kind === 'rx')
        out.set(`s${op.regex.source}`, { pattern: op.regex.source, caseInsensitive: false, dotAll: true });
      for (const ref of [...link.targets.include, ...link.targets.exclude])
        if (ref.selector.kind === 'regex')
          out.set(`i${ref.selector.source}`, { pattern: ref.selector.source, caseInsensitive: true, dotAll: false });
    }
  return [...out.values()];
}
