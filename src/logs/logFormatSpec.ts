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

const IGNORE: FieldKind = { to: 'ignore' };
const REQUEST: FieldKind = { to: 'request' };
const METHOD: FieldKind = { to: 'method' };
const PATH: FieldKind = { to: 'path' };
const QUERY: FieldKind = { to: 'query' };
const PROTOCOL: FieldKind = { to: 'protocol' };
const STATUS: FieldKind = { to: 'status' };
const BYTES: FieldKind = { to: 'bytes' };
const VHOST: FieldKind = { to: 'vhost' };
const PORT: FieldKind = { to: 'port' };
const CLIENT: FieldKind = { to: 'client' };

/** Apache directives read whatever their argument, by letter (the others: apacheField). */
const APACHE_FIELDS: Readonly<Record<string, FieldKind>> = {
  r: REQUEST,
  m: METHOD,
  U: PATH,
  q: QUERY,
  H: PROTOCOL,
  s: STATUS,
  b: BYTES,
  B: BYTES,
  O: BYTES,
  v: VHOST,
  V: VHOST,
};

function apacheField(letter: string, arg: string | null, _final: boolean): FieldKind {
  switch (letter) {
    case 'h':
    case 'a':
      return arg === null || arg === 'c' ? CLIENT : IGNORE;
    case 't':
      return { to: 'time', style: arg === null ? 'clf-bracketed' : timeStyle(arg) };
    case 'i':
      return arg ? { to: 'header', name: arg.toLowerCase() } : IGNORE;
    case 'p':
      return arg === null || arg === 'canonical' || arg === 'local' ? PORT : IGNORE;
    default:
      return APACHE_FIELDS[letter] ?? IGNORE;
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

/** nginx variables by name (`$http_*` headers aside). */
const NGINX_FIELDS: Readonly<Record<string, FieldKind>> = {
  remote_addr: CLIENT,
  realip_remote_addr: CLIENT,
  time_local: { to: 'time', style: 'clf' },
  time_iso8601: { to: 'time', style: 'any' },
  msec: { to: 'time', style: 'sec' },
  request: REQUEST,
  request_method: METHOD,
  request_uri: PATH,
  uri: PATH,
  args: QUERY,
  query_string: QUERY,
  server_protocol: PROTOCOL,
  status: STATUS,
  body_bytes_sent: BYTES,
  bytes_sent: BYTES,
  host: VHOST,
  server_name: VHOST,
  server_port: PORT,
};

function nginxField(name: string): FieldKind {
  if (name.startsWith('http_')) return { to: 'header', name: name.slice(5).replace(/_/g, '-') };
  return Object.hasOwn(NGINX_FIELDS, name) ? (NGINX_FIELDS[name] as FieldKind) : IGNORE;
}
