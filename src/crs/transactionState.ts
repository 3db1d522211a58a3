import type { NamedMembers, NamedValue } from './namedValue.js';
import type { BodyData } from './requestBody.js';
import type { RequestLineData, ResponseData } from './requestData.js';
import type { BodyProcessorName } from './rule.js';
import type { ValueFacts } from './valueFacts.js';

/**
 * What the variables read of a transaction (./variables.ts), apart from the Transaction class
 * that also runs the rules (./transaction.ts) — so the two do not import each other.
 */
export interface TransactionState {
  readonly tx: Map<string, NamedValue>;
  readonly matchedVar: NamedValue | undefined;
  readonly matchedVars: readonly NamedValue[];
  readonly processor: BodyProcessorName | null;
  readonly forceRequestBodyVariable: boolean;
  readonly phase: number;
  readonly uniqueId: string;
  readonly collections: Map<string, NamedMembers>;
  readonly request: RequestLineData;
  readonly response: ResponseData | undefined;
  body(): BodyData;
  /** The facts of a request value's text: the rule set's, across requests, or fresh (./valueFacts.ts). */
  factsOf(value: string): ValueFacts;
}
