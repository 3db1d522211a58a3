import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { DashboardError } from './dashboardError.js';
import { LoginThrottle } from './loginThrottle.js';

export const SESSION_COOKIE = 'bansho_session';
const SESSION_MS = 12 * 3_600_000;
/** Sessions kept at once: a login loop cannot grow the table without bound. */
const MAX_SESSIONS = 1000;

/** Who a request is, once its credentials were checked. */
export type Caller =
  | { readonly kind: 'loopback'; readonly csrf: string }
  | { readonly kind: 'session'; readonly csrf: string }
  | { readonly kind: 'bearer' }
  | { readonly kind: 'anonymous' };

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * Login, sessions and CSRF tokens. On loopback nobody logs in (whoever can reach the port is on
 * the machine), but changes still need the page's CSRF token, so another site open in the same
 * browser cannot post to it. Anywhere else the token from `dashboard.token_file` is required:
 * as a login (session cookie) for people, as `Authorization: Bearer` for scrapers and scripts.
 */
export class DashboardAccess {
  readonly loopback: boolean;
  readonly secureCookie: boolean;
  readonly #tokenHash: Buffer | null;
  readonly #loopbackCsrf = randomBytes(24).toString('base64url');
  readonly #sessions = new Map<string, { csrf: string; expires: number }>();
  readonly #throttle = new LoginThrottle();

  constructor(options: { host: string; tokenFile: string | null; secureCookie: boolean }) {
    this.loopback = isLoopbackHost(options.host);
    this.secureCookie = options.secureCookie;
    const token = options.tokenFile === null ? null : readToken(options.tokenFile);
    if (!this.loopback && token === null)
      throw new DashboardError(
        'E_DASHBOARD_NO_TOKEN',
        `the dashboard on ${options.host} is reachable from other machines: set dashboard.token_file (a file holding a long random token), or bind it to 127.0.0.1`,
      );
    this.#tokenHash = token === null ? null : digest(token);
  }

  /** True when the token is needed (off loopback). */
  get needsLogin(): boolean {
    return !this.loopback;
  }

  identify(req: IncomingMessage): Caller {
    if (this.loopback) return { kind: 'loopback', csrf: this.#loopbackCsrf };
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && this.checkToken(auth.slice(7), req.socket.remoteAddress ?? ''))
      return { kind: 'bearer' };
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const session = id === null ? undefined : this.#sessions.get(id);
    if (id === null || session === undefined) return { kind: 'anonymous' };
    if (session.expires < Date.now()) {
      this.#sessions.delete(id);
      return { kind: 'anonymous' };
    }
    return { kind: 'session', csrf: session.csrf };
  }

  /** The token, from `address`: counted against it when wrong, refused while it must wait (./loginThrottle.ts). */
  checkToken(candidate: string, address: string): boolean {
    if (this.#tokenHash === null) return false;
    const now = Date.now();
    if (!this.#throttle.allows(address, now)) return false;
    const right = timingSafeEqual(digest(candidate), this.#tokenHash);
    if (right) this.#throttle.succeeded(address);
    else this.#throttle.failed(address, now);
    return right;
  }

  /** A new session for a correct token; returns the Set-Cookie value. */
  login(): string {
    if (this.#sessions.size >= MAX_SESSIONS) this.#dropOldest();
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { csrf: randomBytes(24).toString('base64url'), expires: Date.now() + SESSION_MS });
    return this.#cookie(id, SESSION_MS / 1000);
  }

  logout(req: IncomingMessage): string {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (id !== null) this.#sessions.delete(id);
    return this.#cookie('', 0);
  }

  /**
   * A change is allowed with the caller's CSRF token in `X-CSRF-Token`; a bearer caller is a
   * script, not a browser with ambient cookies, so its token is proof enough.
   */
  allowsChange(caller: Caller, req: IncomingMessage): boolean {
    if (caller.kind === 'bearer') return true;
    if (caller.kind === 'anonymous') return false;
    const sent = req.headers['x-csrf-token'];
    return typeof sent === 'string' && timingSafeEqual(digest(sent), digest(caller.csrf));
  }

  #cookie(value: string, maxAgeS: number): string {
    const secure = this.secureCookie ? '; Secure' : '';
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
  }

  #dropOldest(): void {
    const oldest = this.#sessions.keys().next();
    if (!oldest.done) this.#sessions.delete(oldest.value);
  }
}

function readToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new DashboardError(
      'E_DASHBOARD_TOKEN_FILE',
      `dashboard.token_file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (text.length < 16)
    throw new DashboardError(
      'E_DASHBOARD_TOKEN_FILE',
      `dashboard.token_file ${file}: the token needs 16 characters or more`,
    );
  return text;
}

/** Compared as hashes: equal lengths for timingSafeEqual whatever was sent. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
