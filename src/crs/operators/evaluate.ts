import { detectSqli } from '../libinjection/sqli.js';
import { detectXss } from '../libinjection/xss.js';
import { expandMacro, type MacroScope } from '../macros.js';
import { TextMemo } from '../memo.js';
import { hasByteOutside, hasInvalidUrlEncoding, hasInvalidUtf8 } from './byteValidation.js';
import { atoi, compareNumbers, containsWord } from './comparison.js';
import type { Operator, OperatorBody, StringOperatorName } from './index.js';
import { type Admission, prefilterAdmits } from './rxPrefilter.js';

/** What an operator needs from the transaction while it runs. */
export interface OperatorScope extends MacroScope {
  /** The rule has `capture`: a match stores what it matched in TX.0 … TX.9. */
  readonly capturing: boolean;
  setCaptures(groups: ReadonlyArray<string | undefined>): void;
  /** Which regexes the prefilter admits for `text` (computed once per distinct text). */
  admitted(text: string): Admission;
}

/** libinjection's verdicts on request text, kept across requests (see memo.ts). */
const sqliMemo = new TextMemo<string | null>(4096);
const xssMemo = new TextMemo<boolean>(4096);

/** `prefiltered`: the caller already applied the @rx prefilter to this value. */
export function evaluateOperator(op: Operator, value: string, scope: OperatorScope, prefiltered = false): boolean {
  return matches(op.body, value, scope, prefiltered) !== op.negated;
}

function matches(body: OperatorBody, value: string, scope: OperatorScope, prefiltered: boolean): boolean {
  switch (body.kind) {
    case 'rx': {
      if (!prefiltered && !prefilterAdmits(body.prefilter, value, scope)) return false;
      // Most values do not match: the plain test is cheaper than a search that tracks groups.
      if (!body.regex.test(value)) return false;
      if (!scope.capturing) return true;
      const groups = body.regex.groups(value);
      if (groups === null) return false;
      scope.setCaptures(groups);
      return true;
    }
    case 'pm': {
      const found = body.set.findIn(value);
      if (found === undefined) return false;
      if (scope.capturing) scope.setCaptures([found]);
      return true;
    }
    case 'string':
      return compareStrings(body.op, value, expandMacro(body.arg, scope));
    case 'number':
      return compareNumbers(body.op, atoi(value), atoi(expandMacro(body.arg, scope)));
    case 'ipMatch':
      return body.test([value]);
    case 'validateByteRange':
      return hasByteOutside(value, body.allowed);
    case 'validateUrlEncoding':
      return hasInvalidUrlEncoding(value);
    case 'validateUtf8Encoding':
      return hasInvalidUtf8(value);
    case 'detectSQLi': {
      const fingerprint = sqliMemo.get(value, detectSqli);
      if (fingerprint === null) return false;
      if (scope.capturing) scope.setCaptures([fingerprint]);
      return true;
    }
    case 'detectXSS':
      return xssMemo.get(value, detectXss);
    case 'unconditionalMatch':
      return true;
    case 'noMatch':
      return false;
  }
}

function compareStrings(op: StringOperatorName, value: string, arg: string): boolean {
  switch (op) {
    case 'streq':
      return value === arg;
    case 'contains':
      return value.includes(arg);
    case 'containsWord':
      return containsWord(value, arg);
    case 'beginsWith':
      return value.startsWith(arg);
    case 'endsWith':
      return value.endsWith(arg);
    case 'within':
      return arg.includes(value);
  }
}
