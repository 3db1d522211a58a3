import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LiteralSet } from '../../detect/literalSet.js';
import { compileCidr } from '../../detect/operators/cidr.js';
import { CrsError, type SourceLocation } from '../errors.js';
import { type Macro, parseMacro } from '../macros.js';
import { type CrsRegex, compileCrsRegex } from './backtrackSafeRegex.js';
import { parseByteRanges } from './byteValidation.js';
import type { RxPrefilter, RxPrefilterRegistry } from './rxPrefilter.js';

export type StringOperatorName = 'streq' | 'contains' | 'containsWord' | 'beginsWith' | 'endsWith' | 'within';
export type NumberOperatorName = 'eq' | 'ge' | 'gt' | 'le' | 'lt';

/** A rule's operator, compiled (Coraza's operator plugins, as one discriminated union). */
export type OperatorBody =
  | { readonly kind: 'rx'; readonly regex: CrsRegex; readonly prefilter: RxPrefilter }
  | { readonly kind: 'pm'; readonly set: LiteralSet }
  | { readonly kind: 'string'; readonly op: StringOperatorName; readonly arg: Macro }
  | { readonly kind: 'number'; readonly op: NumberOperatorName; readonly arg: Macro }
  | { readonly kind: 'ipMatch'; readonly test: (values: readonly string[]) => boolean }
  | { readonly kind: 'validateByteRange'; readonly allowed: Uint8Array }
  | { readonly kind: 'validateUrlEncoding' }
  | { readonly kind: 'validateUtf8Encoding' }
  | { readonly kind: 'detectSQLi' }
  | { readonly kind: 'detectXSS' }
  | { readonly kind: 'unconditionalMatch' }
  | { readonly kind: 'noMatch' };

export interface Operator {
  readonly body: OperatorBody;
  readonly negated: boolean;
  /** As written, for messages: `@rx ^GET`. */
  readonly text: string;
}

export interface OperatorCompileContext {
  readonly where: SourceLocation;
  readonly registry: RxPrefilterRegistry;
  /** Patterns a snapshot saw compile (`regexKey`): compiled at their first test. */
  readonly known: ReadonlySet<string>;
}

const STRING_OPS: Readonly<Record<string, StringOperatorName>> = {
  streq: 'streq',
  contains: 'contains',
  containsword: 'containsWord',
  beginswith: 'beginsWith',
  endswith: 'endsWith',
  within: 'within',
};

const NUMBER_OPS: Readonly<Record<string, NumberOperatorName>> = { eq: 'eq', ge: 'ge', gt: 'gt', le: 'le', lt: 'lt' };

/** The operators that take no argument (what follows the name is ignored, as in ModSecurity). */
type PlainOperator = Extract<
  OperatorBody,
  {
    kind:
      | 'validateUrlEncoding'
      | 'validateUtf8Encoding'
      | 'detectSQLi'
      | 'detectXSS'
      | 'unconditionalMatch'
      | 'noMatch';
  }
>;

const PLAIN_OPS: Readonly<Record<string, PlainOperator>> = {
  validateurlencoding: { kind: 'validateUrlEncoding' },
  validateutf8encoding: { kind: 'validateUtf8Encoding' },
  detectsqli: { kind: 'detectSQLi' },
  detectxss: { kind: 'detectXSS' },
  unconditionalmatch: { kind: 'unconditionalMatch' },
  nomatch: { kind: 'noMatch' },
};

export function compileOperator(text: string, ctx: OperatorCompileContext): Operator {
  let rest = text.trimStart();
  const negated = rest.startsWith('!');
  if (negated) rest = rest.slice(1).trimStart();
  let name = 'rx';
  let arg = rest;
  if (rest.startsWith('@')) {
    const space = rest.search(/\s/);
    name = (space < 0 ? rest.slice(1) : rest.slice(1, space)).toLowerCase();
    arg = space < 0 ? '' : rest.slice(space + 1).trimStart();
  }
  return { body: compileBody(name, arg, ctx), negated, text };
}

function compileBody(name: string, arg: string, ctx: OperatorCompileContext): OperatorBody {
  const { where } = ctx;
  const stringOp = ownEntry(STRING_OPS, name);
  if (stringOp !== undefined) return { kind: 'string', op: stringOp, arg: parseMacro(arg) };
  const numberOp = ownEntry(NUMBER_OPS, name);
  if (numberOp !== undefined) return { kind: 'number', op: numberOp, arg: parseMacro(arg) };
  const plain = ownEntry(PLAIN_OPS, name);
  if (plain !== undefined) return plain;
  switch (name) {
    case 'rx':
      return { kind: 'rx', regex: compileRx(arg, where, ctx.known), prefilter: ctx.registry.register(arg) };
    case 'pm':
      return { kind: 'pm', set: phraseSet(arg.split(/\s+/), where) };
    case 'pmfromfile':
    case 'pmf':
      return { kind: 'pm', set: phraseSet(readPhraseFiles(arg, where), where) };
    case 'ipmatch':
      try {
        {
          const cidr = compileCidr(arg.split(/[,\s]+/).filter((a) => a !== ''));
          return { kind: 'ipMatch', test: (values) => cidr(values) !== undefined };
        }
      } catch (err) {
        throw new CrsError('E_CRS_COMPILE', where, `@ipMatch: ${(err as Error).message}`);
      }
    case 'ipmatchfromfile':
    case 'ipmatchf':
      try {
        const cidr = compileCidr(readPhraseFiles(arg, where));
        return { kind: 'ipMatch', test: (values) => cidr(values) !== undefined };
      } catch (err) {
        if (err instanceof CrsError) throw err;
        throw new CrsError('E_CRS_COMPILE', where, `@ipMatchFromFile: ${(err as Error).message}`);
      }
    // Lookups in a GeoIP database or a DNS blocklist: outside a pure engine. They never match,
    // as when the database or list is not configured (CRS 3.3 uses them only when it is).
    case 'geolookup':
    case 'rbl':
      return { kind: 'noMatch' };
    case 'validatebyterange': {
      const allowed = parseByteRanges(arg);
      if (typeof allowed === 'string') throw new CrsError('E_CRS_COMPILE', where, `@validateByteRange: ${allowed}`);
      return { kind: 'validateByteRange', allowed };
    }
    default:
      throw new CrsError('E_CRS_UNSUPPORTED', where, `operator @${name} is not supported`);
  }
}

/** The table's entry for an operator name; `@constructor` and kin are unknown operators, not Object's. */
function ownEntry<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

function compileRx(pattern: string, where: SourceLocation, known: ReadonlySet<string>): CrsRegex {
  try {
    return compileCrsRegex(pattern, known);
  } catch (err) {
    throw new CrsError('E_CRS_REGEX', where, `@rx is not valid RE2: ${(err as Error).message}`);
  }
}

function phraseSet(phrases: readonly string[], where: SourceLocation): LiteralSet {
  const list = phrases.filter((p) => p !== '');
  if (list.length === 0) throw new CrsError('E_CRS_COMPILE', where, '@pm without phrases');
  try {
    return new LiteralSet(list, { caseless: true });
  } catch (err) {
    throw new CrsError('E_CRS_COMPILE', where, `@pm: ${(err as Error).message}`);
  }
}

/** `@pmFromFile a.data b.data`: files beside the rule file, one phrase a line, `#` comments. */
function readPhraseFiles(arg: string, where: SourceLocation): string[] {
  const out: string[] = [];
  for (const name of arg.split(/\s+/).filter((n) => n !== '')) {
    let text: string;
    try {
      // latin1: phrases are byte strings, like every value they are matched against.
      text = readFileSync(resolve(dirname(where.file), name), 'latin1');
    } catch (err) {
      throw new CrsError('E_CRS_IO', where, `@pmFromFile ${name}: ${(err as Error).message}`);
    }
    for (const line of text.split(/\r?\n/)) {
      const phrase = line.trim();
      if (phrase !== '' && !phrase.startsWith('#')) out.push(phrase);
    }
  }
  return out;
}
