export type { CompiledRule, NamedLists } from './compile.js';
export { RuleEngine } from './engine.js';
export { EXAMPLE_LISTS, httpObservation, observationFromExample } from './examples.js';
export { compileRegex, type SafeRegex } from './regex.js';
export type { Engine, Match, RuleAction, Severity } from './types.js';
export { DEFAULT_POLICY, decide, type Verdict, type VerdictPolicy } from './verdict.js';
