/**
 * The format languages: an Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b`) or an nginx
 * `log_format` string (`$remote_addr - $remote_user [$time_local] "$request" …`) read into
 * steps — "this literal", "this field" — for ./logFormatPlan.ts to run.
 */
import { LogFormatError } from './record.js';

export type Step = { kind: 'literal'; text: string } | { kind: 'field'; field: FieldKind };

/** What a directive contributes to the record. */
export type FieldKind =
  | { to: 'client' }
  | { to: 'time'; style: 'clf-bracketed' | 'clf' | 'any' | 'sec' | 'msec' | 'usec' }
  | { to: 'request' }
  | { to: 'method' | 'path' | 'query' | 'protocol' }
  | { to: 'status' }
  | { to: 'bytes' }
  | { to: 'header'; name: string }
  | { to: 'vhost' }
  | { to: 'port' }
  | { to: 'ignore' };

export function tokenize(spec: string): Step[] {
  const steps: Step[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') steps.push({ kind: 'literal', text: literal });
    literal = '';
  };
  let i = 0;
  while (i < spec.length) {
    const c = spec[i] as string;
    if (c === '\\' && i + 1 < spec.length) {
      const n = spec[i + 1] as string;
      literal += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      i += 2;
    } else if (c === '%') {
      const d = readApacheDirective(spec, i);
      if (d.literal !== undefined) literal += d.literal;
      else {
        flush();
        steps.push({ kind: 'field', field: d.field as FieldKind });
      }
      i = d.next;
    } else if (c === '$' && /[A-Za-z_{]/.test(spec[i + 1] ?? '')) {
      const d = readNginxVariable(spec, i);
      flush();
      steps.push({ kind: 'field', field: d.field });
      i = d.next;
    } else {
      literal += c;
      i++;
    }
  }
  flush();
  return steps;
}

interface DirectiveRead {
  readonly field?: FieldKind;
  readonly literal?: string;
  readonly next: number;
}

/** `%[<>]?[!]?[0-9,]*({arg})?X` — modifiers, an optional argument and the directive letter. */
function readApacheDirective(spec: string, at: number): DirectiveRead {
  let i = at + 1;
  if (spec[i] === '%') return { literal: '%', next: i + 1 };
  let final = false;
  while (i < spec.length && /[<>!,0-9]/.test(spec[i] as string)) {
    if (spec[i] === '>') final = true;
    i++;
  }
  let arg: string | null = null;
  if (spec[i] === '{') {
    const close = spec.indexOf('}', i);
    if (close < 0) throw new LogFormatError(`unclosed %{ at ${at}`);
    arg = spec.slice(i + 1, close);
    i = close + 1;
  }
  const letter = spec[i];
  if (letter === undefined) throw new LogFormatError(`format ends inside a directive at ${at}`);
  return { field: apacheField(letter, arg, final), next: i + 1 };
}

function apacheField(letter: string, arg: string | null, _final: boolean): FieldKind {
  switch (letter) {
    case 'h':
    case 'a':
      return arg === null || arg === 'c' ? { to: 'client' } : { to: 'ignore' };
    case 't':
      return { to: 'time', style: arg === null ? 'clf-bracketed' : timeStyle(arg) };
    case 'r':
      return { to: 'request' };
    case 'm':
      return { to: 'method' };
    case 'U':
      return { to: 'path' };
    case 'q':
      return { to: 'query' };
    case 'H':
      return { to: 'protocol' };
    case 's':
      return { to: 'status' };
    case 'b':
    case 'B':
    case 'O':
      return { to: 'bytes' };
    case 'i':
      return arg ? { to: 'header', name: arg.toLowerCase() } : { to: 'ignore' };
    case 'v':
    case 'V':
      return { to: 'vhost' };
    case 'p':
      return arg === null || arg === 'canonical' || arg === 'local' ? { to: 'port' } : { to: 'ignore' };
    default:
      return { to: 'ignore' };
  }
}

function timeStyle(arg: string): Extract<FieldKind, { to: 'time' }>['style'] {
  const a = arg.replace(/^(begin|end):/, '');
  if (a === 'sec') return 'sec';
  if (a === 'msec') return 'msec';
  if (a === 'usec') return 'usec';
  if (a === '%d/%b/%Y:%H:%M:%S %z' || a === '%d/%b/%Y:%T %z') return 'clf';
  return 'any';
}

/** `$name` or `${name}`. */
function readNginxVariable(spec: string, at: number): { field: FieldKind; next: number } {
  let i = at + 1;
  let name: string;
  if (spec[i] === '{') {
    const close = spec.indexOf('}', i);
    if (close < 0) throw new LogFormatError(`unclosed \${ at ${at}`);
    name = spec.slice(i + 1, close);
    i = close + 1;
  } else {
    const start = i;
    while (i < spec.length && /[A-Za-z0-9_]/.test(spec[i] as string)) i++;
    name = spec.slice(start, i);
  }
  return { field: nginxField(name), next: i };
}

function nginxField(name: string): FieldKind {
  if (name.startsWith('http_')) return { to: 'header', name: name.slice(5).replace(/_/g, '-') };
  switch (name) {
    case 'remote_addr':
    case 'realip_remote_addr':
      return { to: 'client' };
    case 'time_local':
      return { to: 'time', style: 'clf' };
    case 'time_iso8601':
      return { to: 'time', style: 'any' };
    case 'msec':
      return { to: 'time', style: 'sec' };
    case 'request':
      return { to: 'request' };
    case 'request_method':
      return { to: 'method' };
    case 'request_uri':
    case 'uri':
      return { to: 'path' };
    case 'args':
    case 'query_string':
      return { to: 'query' };
    case 'server_protocol':
      return { to: 'protocol' };
    case 'status':
      return { to: 'status' };
    case 'body_bytes_sent':
    case 'bytes_sent':
      return { to: 'bytes' };
    case 'host':
    case 'server_name':
      return { to: 'vhost' };
    case 'server_port':
      return { to: 'port' };
    default:
      return { to: 'ignore' };
  }
}
