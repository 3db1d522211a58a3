import type { HttpRequest, Observation } from '../observe/observation.js';
import { applyTransforms, type TransformName } from './transforms/index.js';

/**
 * The parts of an Observation a rule can look at. Every field yields a list of strings (empty
 * when the Observation has no such part): multi-valued fields such as `args.values` match
 * when any value matches, as in CRS. Numbers (ports, lengths) are given as decimal strings.
 */
export const STATIC_FIELDS = [
  'request.line',
  'request.method',
  'request.target',
  'request.version',
  'request.form',
  'request.malformed',
  'request.path',
  'request.query',
  'authority.host',
  'authority.port',
  'args.names',
  'args.values',
  'headers.names',
  'headers.values',
  'user-agent',
  'host',
  'body',
  'source.ip',
  'source.port',
  'destination.port',
  'transport',
  'payload',
  'payload.length',
] as const;

export type StaticField = (typeof STATIC_FIELDS)[number];
/** `header:<lower-case name>` selects one header's values. */
export type FieldName = StaticField | `header:${string}`;

export function isFieldName(name: string): name is FieldName {
  return (STATIC_FIELDS as readonly string[]).includes(name) || /^header:[a-z0-9-]+$/.test(name);
}

const NONE: readonly string[] = [];

/** Lazily computes and memoises field values (raw and transformed) for one Observation. */
export class FieldContext {
  private readonly cache = new Map<string, readonly string[]>();
  private args: { names: string[]; values: string[] } | undefined;

  constructor(readonly observation: Observation) {}

  get(field: FieldName, transforms: readonly TransformName[], key: string): readonly string[] {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const raw = transforms.length === 0 ? this.raw(field) : this.get(field, [], field);
    const values = transforms.length === 0 ? raw : raw.map((v) => applyTransforms(v, transforms));
    this.cache.set(key, values);
    return values;
  }

  private raw(field: FieldName): readonly string[] {
    const obs = this.observation;
    switch (field) {
      case 'source.ip':
        return [obs.source.ip];
      case 'source.port':
        return [String(obs.source.port)];
      case 'destination.port':
        return [String(obs.destination.port)];
      case 'transport':
        return [obs.transport];
      case 'payload':
        return obs.kind === 'datagram' ? [Buffer.from(obs.payload).toString('latin1')] : NONE;
      case 'payload.length':
        return obs.kind === 'datagram' ? [String(obs.payload.byteLength)] : NONE;
    }
    if (obs.kind !== 'http') return NONE;
    return this.httpField(obs.request, field);
  }

  private httpField(request: HttpRequest, field: FieldName): readonly string[] {
    switch (field) {
      case 'request.line':
        return [request.line];
      case 'request.method':
        return [request.method];
      case 'request.target':
        return [request.target];
      case 'request.version':
        return [request.version];
      case 'request.form':
        return [request.form];
      case 'request.malformed':
        return request.malformed === null ? NONE : [request.malformed];
      case 'request.path':
        return [request.path];
      case 'request.query':
        return request.query === '' ? NONE : [request.query];
      case 'authority.host':
        return request.authority ? [request.authority.host] : NONE;
      case 'authority.port':
        return request.authority?.port != null ? [String(request.authority.port)] : NONE;
      case 'args.names':
        return this.splitArgs(request).names;
      case 'args.values':
        return this.splitArgs(request).values;
      case 'headers.names':
        return request.headers.map(([n]) => n);
      case 'headers.values':
        return request.headers.map(([, v]) => v);
      case 'user-agent':
        return headerValues(request, 'user-agent');
      case 'host':
        return headerValues(request, 'host').map(hostOnly);
      case 'body':
        return request.bodyPrefix === '' ? NONE : [request.bodyPrefix];
    }
    if (field.startsWith('header:')) return headerValues(request, field.slice(7));
    return NONE;
  }

  /** Query arguments, plus the body's when it is form-encoded; split raw, decoded by transforms. */
  private splitArgs(request: HttpRequest): { names: string[]; values: string[] } {
    if (this.args !== undefined) return this.args;
    const names: string[] = [];
    const values: string[] = [];
    addPairs(request.query, names, values);
    const type = headerValues(request, 'content-type')[0] ?? '';
    if (request.bodyPrefix !== '' && type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      addPairs(request.bodyPrefix, names, values);
    this.args = { names, values };
    return this.args;
  }
}

function addPairs(text: string, names: string[], values: string[]): void {
  if (text === '') return;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    names.push(eq < 0 ? pair : pair.slice(0, eq));
    if (eq >= 0) values.push(pair.slice(eq + 1));
  }
}

function headerValues(request: HttpRequest, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of request.headers) if (n === name) out.push(v);
  return out;
}

function hostOnly(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    return close > 0 ? v.slice(1, close) : v;
  }
  const colon = v.indexOf(':');
  return colon >= 0 && v.indexOf(':', colon + 1) < 0 ? v.slice(0, colon) : v;
}
