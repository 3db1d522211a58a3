import type { RawAction } from './actionList.js';
import { CrsError, type SourceLocation } from './errors.js';
import { type Macro, parseMacro } from './macros.js';
import {
  type BodyProcessorName,
  type Ctl,
  type Disruptive,
  type EffectAction,
  type EngineMode,
  type IdRange,
  type Phase,
  SEVERITIES,
  type SetVar,
} from './rule.js';
import { parseTarget } from './targets.js';
import { type TransformationName, transformationByName } from './transformations/index.js';

/** A rule's action list, sorted into what it means (the chain starter's metadata, link behaviour, effects). */
export interface ParsedActions {
  id: number | undefined;
  phase: Phase | undefined;
  msg: Macro | undefined;
  logdata: Macro | undefined;
  tags: string[];
  severity: number | undefined;
  ver: string | undefined;
  disruptive: Disruptive | undefined;
  status: number | undefined;
  log: boolean | undefined;
  skipAfter: string | undefined;
  skip: number | undefined;
  chain: boolean;
  capture: boolean;
  multiMatch: boolean;
  /** null: inherit the phase default's; a list after `t:none` replaces it. */
  transformations: TransformationName[];
  resetTransformations: boolean;
  effects: EffectAction[];
}

/** Actions that only describe a rule (for people and consoles), accepted and kept nowhere. */
const DESCRIPTIVE = new Set([
  'rev',
  'maturity',
  'accuracy',
  'auditlog',
  'noauditlog',
  'sanitisematched',
  'sanitizematched',
]);
/** Actions whose effect lies outside a single, pure evaluation (persistent collections, the environment). */
const OUTSIDE = new Set(['initcol', 'expirevar', 'setenv', 'setuid', 'setsid', 'deprecatevar', 'exec']);

export function parseRuleActions(actions: readonly RawAction[], where: SourceLocation): ParsedActions {
  const out: ParsedActions = {
    id: undefined,
    phase: undefined,
    msg: undefined,
    logdata: undefined,
    tags: [],
    severity: undefined,
    ver: undefined,
    disruptive: undefined,
    status: undefined,
    log: undefined,
    skipAfter: undefined,
    skip: undefined,
    chain: false,
    capture: false,
    multiMatch: false,
    transformations: [],
    resetTransformations: false,
    effects: [],
  };
  for (const { name: rawName, value } of actions) {
    const name = rawName.toLowerCase();
    const need = (): string => {
      if (value === undefined) throw new CrsError('E_CRS_SYNTAX', where, `action ${rawName} needs a value`);
      return value;
    };
    if (DESCRIPTIVE.has(name)) continue;
    if (OUTSIDE.has(name)) {
      if (name === 'exec') throw new CrsError('E_CRS_UNSUPPORTED', where, 'action exec is not supported');
      out.effects.push({ kind: 'noEffect', name });
      continue;
    }
    switch (name) {
      case 'id':
        out.id = integer(need(), where, 'id');
        break;
      case 'phase':
        out.phase = parsePhase(need(), where);
        break;
      case 'msg':
        out.msg = parseMacro(need());
        break;
      case 'logdata':
        out.logdata = parseMacro(need());
        break;
      case 'tag':
        out.tags.push(need());
        break;
      case 'ver':
        out.ver = need();
        break;
      case 'severity': {
        const v = need();
        const level = /^\d$/.test(v) ? Number(v) : SEVERITIES[v.toUpperCase()];
        if (level === undefined) throw new CrsError('E_CRS_SYNTAX', where, `unknown severity ${v}`);
        out.severity = level;
        break;
      }
      case 'pass':
      case 'block':
      case 'deny':
      case 'drop':
      case 'allow':
        out.disruptive = name;
        break;
      case 'status':
        out.status = integer(need(), where, 'status');
        break;
      case 'log':
        out.log = true;
        break;
      case 'nolog':
        out.log = false;
        break;
      case 'skipafter':
        out.skipAfter = need();
        break;
      case 'skip':
        out.skip = integer(need(), where, 'skip');
        break;
      case 'chain':
        out.chain = true;
        break;
      case 'capture':
        out.capture = true;
        break;
      case 'multimatch':
        out.multiMatch = true;
        break;
      case 't': {
        const v = need();
        if (v.toLowerCase() === 'none') {
          out.transformations = [];
          out.resetTransformations = true;
          break;
        }
        const t = transformationByName(v);
        if (t === undefined) throw new CrsError('E_CRS_UNSUPPORTED', where, `transformation ${v} is not supported`);
        out.transformations.push(t);
        break;
      }
      case 'setvar':
        out.effects.push({ kind: 'setvar', op: parseSetVar(need(), where) });
        break;
      case 'ctl':
        out.effects.push({ kind: 'ctl', ctl: parseCtl(need(), where) });
        break;
      default:
        throw new CrsError('E_CRS_UNSUPPORTED', where, `action ${rawName} is not supported`);
    }
  }
  return out;
}

function integer(text: string, where: SourceLocation, what: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CrsError('E_CRS_SYNTAX', where, `${what} must be a number: ${text}`);
  return Number(text.trim());
}

function parsePhase(text: string, where: SourceLocation): Phase {
  const named: Record<string, Phase> = { request: 2, response: 4, logging: 5 };
  const p = named[text.toLowerCase()] ?? Number(text);
  if (p === 1 || p === 2 || p === 3 || p === 4 || p === 5) return p;
  throw new CrsError('E_CRS_SYNTAX', where, `bad phase ${text}`);
}

/** Collections initcol would load from storage: setvar on them has no effect (see targets.ts). */
const PERSISTENT = new Set(['ip', 'global', 'session', 'user', 'resource']);

/** `tx.name=value`, `tx.name=+value`, `tx.name=-value`, `!tx.name`, `tx.name` (= 1). */
function parseSetVar(text: string, where: SourceLocation): SetVar {
  const del = text.startsWith('!');
  const body = del ? text.slice(1) : text;
  const eq = body.indexOf('=');
  const target = (eq < 0 ? body : body.slice(0, eq)).trim();
  const dot = target.indexOf('.');
  const collection = dot < 0 ? '' : target.slice(0, dot).toLowerCase();
  if (PERSISTENT.has(collection)) return { kind: 'persistent', collection };
  if (collection !== 'tx')
    throw new CrsError('E_CRS_UNSUPPORTED', where, `setvar on ${collection || target}: only TX is supported`);
  const name = parseMacro(target.slice(dot + 1));
  if (del) return { kind: 'delete', name };
  if (eq < 0) return { kind: 'set', name, value: parseMacro('1') };
  const raw = body.slice(eq + 1);
  if (raw.startsWith('+') || raw.startsWith('-'))
    return { kind: 'add', name, value: parseMacro(raw.slice(1)), sign: raw.startsWith('+') ? 1 : -1 };
  return { kind: 'set', name, value: parseMacro(raw) };
}

export function parseIdRanges(text: string, where: SourceLocation): IdRange[] {
  const out: IdRange[] = [];
  for (const piece of text.split(/[\s,]+/)) {
    if (piece === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(piece);
    if (m === null) throw new CrsError('E_CRS_SYNTAX', where, `bad rule id or range ${piece}`);
    out.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]) });
  }
  return out;
}

const ON_OFF = (v: string): boolean => v.toLowerCase() === 'on';

function parseCtl(text: string, where: SourceLocation): Ctl {
  const eq = text.indexOf('=');
  if (eq < 0) throw new CrsError('E_CRS_SYNTAX', where, `ctl without a value: ${text}`);
  const name = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  const splitTarget = (): [string, string] => {
    const semi = value.indexOf(';');
    if (semi < 0) throw new CrsError('E_CRS_SYNTAX', where, `ctl:${name} needs ID;TARGET`);
    return [value.slice(0, semi), value.slice(semi + 1)];
  };
  switch (name.toLowerCase()) {
    case 'ruleremovebyid':
      return { kind: 'ruleRemoveById', ranges: parseIdRanges(value, where) };
    case 'ruleremovebytag':
      return { kind: 'ruleRemoveByTag', tag: value };
    case 'ruleremovetargetbyid': {
      const [ids, target] = splitTarget();
      return { kind: 'ruleRemoveTargetById', ranges: parseIdRanges(ids, where), target: parseTarget(target, where) };
    }
    case 'ruleremovetargetbytag': {
      const [tag, target] = splitTarget();
      return { kind: 'ruleRemoveTargetByTag', tag, target: parseTarget(target, where) };
    }
    case 'ruleengine': {
      const mode = engineMode(value);
      if (mode === undefined) throw new CrsError('E_CRS_SYNTAX', where, `bad ctl:ruleEngine value ${value}`);
      return { kind: 'ruleEngine', mode };
    }
    case 'requestbodyprocessor': {
      const p = value.toUpperCase();
      if (p !== 'URLENCODED' && p !== 'MULTIPART' && p !== 'XML' && p !== 'JSON')
        throw new CrsError('E_CRS_UNSUPPORTED', where, `request body processor ${value} is not supported`);
      return { kind: 'requestBodyProcessor', processor: p as BodyProcessorName };
    }
    case 'forcerequestbodyvariable':
      return { kind: 'forceRequestBodyVariable', on: ON_OFF(value) };
    case 'requestbodyaccess':
      return { kind: 'requestBodyAccess', on: ON_OFF(value) };
    case 'auditengine':
    case 'auditlogparts':
    case 'debugloglevel':
    case 'responsebodyaccess':
      return { kind: 'noEffect', name };
    default:
      throw new CrsError('E_CRS_UNSUPPORTED', where, `ctl:${name} is not supported`);
  }
}

export function engineMode(value: string): EngineMode | undefined {
  const v = value.toLowerCase();
  return v === 'on' ? 'On' : v === 'off' ? 'Off' : v === 'detectiononly' ? 'DetectionOnly' : undefined;
}
