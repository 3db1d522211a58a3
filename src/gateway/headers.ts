/**
 * Header handling for a reverse proxy (RFC 9110 §7.6.1): hop-by-hop fields — the fixed set and
 * any the sender lists in `Connection` — are not forwarded; X-Forwarded-For/-Proto and Via are set.
 * X-Forwarded-Proto is taken over only from a trusted proxy (the TLS terminator in front).
 */
import { fieldTexts, type RawField } from './fieldTexts.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export const VIA = '1.1 bansho';

/** The fields a [name, value, …] list's Connection headers name (`close, X-Foo` → `x-foo`), or null. */
function connectionTokens(raw: readonly string[]): Set<string> | null {
  let tokens: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const value = raw[i + 1] as string;
    // Almost every message says only `keep-alive` or `close`: no list to split.
    if (value.indexOf(',') < 0) {
      const token = value.trim().toLowerCase();
      if (token === '' || token === 'close' || token === 'keep-alive') continue;
    }
    for (const t of value.split(',')) {
      const token = t.trim().toLowerCase();
      if (token === '' || token === 'close' || token === 'keep-alive') continue;
      tokens ??= new Set();
      tokens.add(token);
    }
  }
  return tokens;
}

/** The connection a request came in on, as the upstream hears of it. */
export interface Hop {
  /** The address this connection comes from: appended to X-Forwarded-For. */
  readonly peer: string;
  /** The peer is a trusted proxy: its X-Forwarded-Proto is kept. */
  readonly trustedPeer: boolean;
  /** How the request reached the gateway: the X-Forwarded-Proto it sends otherwise. */
  readonly scheme: 'http' | 'https';
}

export interface ForwardContext extends Hop {
  /** `Host` to send when the client sent none (HTTP/1.0). */
  readonly defaultHost: string;
  /** Keep `Connection`/`Upgrade` (WebSocket pass-through). */
  readonly upgrade?: boolean;
  /** The authority of an absolute-form target naming this site: it overrides `Host` (RFC 9112 §3.2.2). */
  readonly authority?: string;
}

/**
 * Fields that tell the upstream who the client is or which host it asked for. Only a trusted
 * proxy may say: from anyone else they would let a bot pick the address the site logs, or the
 * host name it builds links and password-reset mails with.
 */
const CLIENT_CLAIMS = new Set(['forwarded', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-port', 'x-client-ip']);

/**
 * Request headers for the upstream, as a flat [name, value, …] list (undici's fastest form),
 * from node's `rawHeaders`. `expect` is dropped too: node has already answered `100 Continue`.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], ctx: ForwardContext): string[] {
  const named = connectionTokens(rawHeaders);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let via: string | undefined;
  let proto: string | undefined;
  let hasHost = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    if (ctx.upgrade && (lower === 'connection' || lower === 'upgrade')) {
      out.push(name, value);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue;
    if (!ctx.trustedPeer && CLIENT_CLAIMS.has(lower)) continue;
    switch (lower) {
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case 'x-forwarded-proto':
        proto ??= value;
        continue;
      case 'expect':
        continue;
      case 'via':
        via = via === undefined ? value : `${via}, ${value}`;
        continue;
      case 'host':
        if (hasHost) continue;
        hasHost = true;
        if (ctx.authority !== undefined) {
          out.push(name, ctx.authority);
          continue;
        }
        break;
    }
    out.push(name, value);
  }
  if (!hasHost) out.push('host', ctx.authority ?? ctx.defaultHost);
  out.push('x-forwarded-for', forwardedFor === undefined ? ctx.peer : `${forwardedFor}, ${ctx.peer}`);
  out.push('x-forwarded-proto', ctx.trustedPeer && proto !== undefined ? proto : ctx.scheme);
  out.push('via', via === undefined ? VIA : `${via}, ${VIA}`);
  return out;
}

/**
 * The lengths of the names an answer's field is dropped or merged for (hop-by-hop, Via): a name
 * of any other length is none of them, and is passed on without being lower-cased and looked up
 * (a site's Server, Date, Content-Type, Content-Length, ETag: most of an answer's fields).
 */
const ANSWER_CHECKED_LENGTHS: readonly boolean[] = (() => {
  const lengths: boolean[] = [];
  for (const name of [...HOP_BY_HOP, 'via']) lengths[name.length] = true;
  return Array.from(lengths, (checked) => checked === true);
})();

/**
 * Response headers for the client, as a flat [name, value, …] list (what `res.writeHead` takes
 * as raw headers, repeated fields such as set-cookie kept apart) from the upstream's raw list
 * (node's strings, or undici's Buffers, turned into strings here in the one pass): hop-by-hop
 * fields and those its `Connection` names are dropped, Via gets this hop.
 */
export function clientResponseFields(rawFields: readonly RawField[]): string[] {
  const raw = fieldTexts(rawFields);
  const named = connectionTokens(raw);
  const out: string[] = [];
  let via: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (named !== null || ANSWER_CHECKED_LENGTHS[name.length] === true) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue;
      if (lower === 'via') {
        via = via === undefined ? value : `${via}, ${value}`;
        continue;
      }
    }
    out.push(name, value);
  }
  out.push('via', via === undefined ? VIA : `${via}, ${VIA}`);
  return out;
}
