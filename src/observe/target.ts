import type { Authority, TargetForm } from './observation.js';

export interface ParsedTarget {
  readonly form: TargetForm;
  readonly authority: Authority | null;
  readonly path: string;
  readonly query: string;
}

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Classify a request target (RFC 9112 §3.2) without throwing. `method` matters because only
 * CONNECT uses the authority form.
 */
export function parseTarget(method: string, target: string): ParsedTarget {
  if (target === '*') return { form: 'asterisk', authority: null, path: '*', query: '' };
  if (target.charCodeAt(0) === 47 /* / */) return splitQuery('origin', null, target);

  const scheme = SCHEME_RE.exec(target);
  if (scheme) {
    const rest = target.slice(scheme[0].length);
    const end = firstIndexOf(rest, '/?#');
    const authority = parseAuthority(rest.slice(0, end));
    const tail = rest.slice(end);
    return splitQuery(authority ? 'absolute' : 'malformed', authority, tail === '' ? '/' : tail);
  }

  if (method.toUpperCase() === 'CONNECT' || /^[^/\s]+:\d+$/.test(target)) {
    const authority = parseAuthority(target);
    return { form: authority ? 'authority' : 'malformed', authority, path: '', query: '' };
  }
  return splitQuery('malformed', null, target);
}

/** `host`, `host:port`, `[v6]:port`, with userinfo dropped; null when it is not an authority. */
export function parseAuthority(text: string): Authority | null {
  const at = text.lastIndexOf('@');
  const hostPort = at >= 0 ? text.slice(at + 1) : text;
  if (hostPort === '') return null;
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return null;
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return null;
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
  }
  if (host === '' || /[\s/\\]/.test(host)) return null;
  let port: number | null = null;
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port > 65535) return null;
  }
  return { host: host.toLowerCase(), port };
}

/** The target with its path and query split apart and the fragment dropped. */
function splitQuery(form: TargetForm, authority: Authority | null, pathAndQuery: string): ParsedTarget {
  const hash = pathAndQuery.indexOf('#');
  const noFragment = hash >= 0 ? pathAndQuery.slice(0, hash) : pathAndQuery;
  const q = noFragment.indexOf('?');
  return q >= 0
    ? { form, authority, path: noFragment.slice(0, q), query: noFragment.slice(q + 1) }
    : { form, authority, path: noFragment, query: '' };
}

function firstIndexOf(text: string, chars: string): number {
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i] as string)) return i;
  return text.length;
}
