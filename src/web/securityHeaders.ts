import type { ServerResponse } from 'node:http';

/**
 * Every string the dashboard shows was written by an attacker, so the page may run only its own
 * script file: no inline script, no eval, no plug-ins, no framing, nothing fetched from elsewhere.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-src 'self'; frame-ancestors 'none'";

/**
 * The bulletin is the report `bansho report --format html` writes (inline style, no script); it
 * is shown in a sandboxed frame of the dashboard's Bulletin page, hence `frame-ancestors 'self'`.
 */
export const BULLETIN_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

export function setSecurityHeaders(res: ServerResponse, csp: string = DASHBOARD_CSP): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', csp === BULLETIN_CSP ? 'SAMEORIGIN' : 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}
