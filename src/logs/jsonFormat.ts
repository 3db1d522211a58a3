import type { LogRecord } from './record.js';
import { parseAnyTime } from './time.js';

/**
 * JSON-lines access logs: nginx `escape=json` formats, Traefik, Caddy-like and ECS documents.
 * Fields are found by the names those servers use; nested ECS names (`source.ip`) are followed.
 * `JSON.parse` is linear in the line, so hostile lines cost no more than benign ones.
 */
export function parseJsonLine(line: string): LogRecord | null {
  const first = line.charCodeAt(0);
  if (first !== 123 /* { */) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return null;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const o = doc as Record<string, unknown>;
  const client = stripPort(text(pick(o, CLIENT)));
  if (!client) return null;

  let requestLine = text(pick(o, REQUEST)) ?? '';
  if (requestLine === '-') requestLine = '';
  if (requestLine === '') {
    const method = text(pick(o, METHOD)) ?? '';
    const target = text(pick(o, TARGET)) ?? '';
    const query = text(pick(o, QUERY)) ?? '';
    const protocol = text(pick(o, PROTOCOL)) ?? '';
    const withQuery = query && !target.includes('?') ? `${target}?${query.replace(/^\?/, '')}` : target;
    requestLine = [method, withQuery, protocol].filter((p) => p !== '' && p !== '-').join(' ');
  }
  const headers: Array<[string, string]> = [];
  const ua = text(pick(o, USER_AGENT));
  if (ua && ua !== '-') headers.push(['user-agent', ua]);
  const referer = text(pick(o, REFERER));
  if (referer && referer !== '-') headers.push(['referer', referer]);
  const host = text(pick(o, HOST));
  if (host && host !== '-') headers.push(['host', host]);
  for (const [k, v] of Object.entries(o)) {
    // Traefik writes request headers as `request_User-Agent`.
    if (k.startsWith('request_') && typeof v === 'string') {
      const name = k.slice(8).toLowerCase();
      if (!headers.some(([n]) => n === name)) headers.push([name, v]);
    }
  }
  const timeValue = pick(o, TIME);
  return {
    client,
    time: typeof timeValue === 'number' ? epochToMs(timeValue) : parseAnyTime(text(timeValue) ?? ''),
    requestLine,
    status: int(pick(o, STATUS)),
    bytes: int(pick(o, BYTES)),
    headers,
    vhost: host && host !== '-' ? host : null,
    serverPort: int(pick(o, PORT)),
  };
}

const CLIENT = [
  'remote_addr',
  'client_ip',
  'clientip',
  'client',
  'ClientHost',
  'remote_ip',
  'remoteAddr',
  'ip',
  'source.ip',
  'client.ip',
  'request.remote_ip',
];
const REQUEST = ['request', 'request_line', 'requestLine'];
const METHOD = ['request_method', 'method', 'RequestMethod', 'http.request.method', 'request.method'];
const TARGET = ['request_uri', 'uri', 'path', 'RequestPath', 'url.original', 'request.uri', 'url'];
const QUERY = ['args', 'query_string', 'query', 'url.query'];
const PROTOCOL = ['server_protocol', 'protocol', 'RequestProtocol', 'request.proto'];
const STATUS = ['status', 'DownstreamStatus', 'status_code', 'http.response.status_code', 'response_status'];
const BYTES = ['body_bytes_sent', 'bytes_sent', 'bytes', 'size', 'DownstreamContentSize', 'http.response.bytes'];
const USER_AGENT = [
  'http_user_agent',
  'user_agent',
  'userAgent',
  'user_agent.original',
  'agent',
  'request.headers.User-Agent',
];
const REFERER = ['http_referer', 'referer', 'referrer', 'http.request.referrer'];
const HOST = ['host', 'server_name', 'RequestHost', 'vhost', 'url.domain', 'request.host'];
const PORT = ['server_port', 'RequestPort', 'destination.port'];
const TIME = ['time_iso8601', '@timestamp', 'timestamp', 'time', 'StartUTC', 'time_local', 'ts', 'msec'];

function pick(o: Record<string, unknown>, names: readonly string[]): unknown {
  for (const name of names) {
    const direct = o[name];
    if (direct !== undefined && direct !== null) return direct;
    if (name.includes('.')) {
      let cur: unknown = o;
      for (const part of name.split('.')) {
        if (cur === null || typeof cur !== 'object') {
          cur = undefined;
          break;
        }
        cur = (cur as Record<string, unknown>)[part];
      }
      if (cur !== undefined && cur !== null) {
        // `request.headers.User-Agent` in Caddy is an array of values.
        return Array.isArray(cur) ? cur[0] : cur;
      }
    }
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function int(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return null;
}

function epochToMs(n: number): number {
  return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
}

/** `203.0.113.7:51234` → `203.0.113.7`; `[2001:db8::1]:443` → `2001:db8::1`; bare v6 kept. */
function stripPort(v: string | undefined): string | undefined {
  if (!v || v === '-') return undefined;
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    return close > 0 ? v.slice(1, close) : v;
  }
  const colon = v.indexOf(':');
  if (colon > 0 && colon === v.lastIndexOf(':')) return v.slice(0, colon);
  return v;
}
