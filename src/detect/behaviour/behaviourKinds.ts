/**
 * What each behaviour counts: which answered requests concern it, what makes two of them the
 * same (a bucket that counts distinct paths), and what it names. The limits are settings
 * (httpBehaviour.ts); this is the fixed part.
 */
import type { HttpObservation } from '../../observe/observation.js';
import type { BehaviourName, BehaviourThreat, RequestSignal } from './behaviourTypes.js';

/** What a behaviour counts and what it names; its limit comes from the settings. */
export interface BehaviourKind {
  readonly ruleName: string;
  readonly threatId: BehaviourThreat;
  /** Does this request concern the behaviour? */
  readonly concerns: (s: RequestSignal) => boolean;
  /** Count a request only when no request with the same value is in the bucket (distinct paths). */
  readonly distinct: boolean;
  /** What makes two requests the same, for a bucket that counts distinct ones. */
  readonly value: (s: RequestSignal) => string;
  /** What the requests are, for the evidence: "requests for missing paths". */
  readonly counted: string;
}

/**
 * Static files a page pulls in by the dozen: a missing stylesheet or favicon is a broken page,
 * not a probe (CrowdSec's static_ressource).
 */
const STATIC_EXTENSIONS = new Set([
  'css',
  'js',
  'mjs',
  'map',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'ico',
  'svg',
  'webp',
  'avif',
  'bmp',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'mp3',
  'mp4',
  'webm',
  'ogg',
]);

function isStatic(path: string): boolean {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash && STATIC_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

const endsWithFold = (path: string, suffix: string): boolean =>
  path.length >= suffix.length && path.slice(path.length - suffix.length).toLowerCase() === suffix;

const NOT_FOUND_OR_REFUSED = new Set([400, 403, 404]);

/**
 * Whether a request can concern any behaviour: the caller (a log worker) need only keep those.
 * Cheap, and true for a superset of what the behaviours count.
 */
export function isBehaviourCandidate(method: string, path: string, query: string, status: number | null): boolean {
  if (status === null) return false;
  if (status === 401 || NOT_FOUND_OR_REFUSED.has(status) || query.includes('author=')) return true;
  return (
    method === 'POST' && (endsWithFold(path, '/wp-login.php') || endsWithFold(path, '/xmlrpc.php') || isLoginForm(path))
  );
}

/** An answered request's signal for the behaviours, or null when none could count it. */
export function requestSignal(observation: HttpObservation, status: number | null): RequestSignal | null {
  const { method, path, query } = observation.request;
  if (status === null || !isBehaviourCandidate(method, path, query, status)) return null;
  return { time: observation.time, source: observation.source.ip, method, path, query, status };
}

/**
 * Login endpoints of common applications other than WordPress (which has its own behaviour):
 * Ghost's admin session, Drupal's and many frameworks' /user/login, Joomla's administrator.
 */
const LOGIN_FORMS = ['/ghost/api/admin/session', '/user/login', '/administrator/index.php', '/login', '/signin'];

function isLoginForm(path: string): boolean {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return LOGIN_FORMS.some((suffix) => endsWithFold(p, suffix));
}

/** WordPress's author archive by number (`/?author=3`), which redirects to the user's login name. */
function authorNumber(query: string): string | null {
  for (const part of query.split('&')) {
    if (!part.startsWith('author=')) continue;
    const n = part.slice(7);
    if (n !== '' && n.length <= 12 && [...n].every((c) => c >= '0' && c <= '9')) return n;
  }
  return null;
}

const WORDPRESS_EXTENSIONS = ['/wp-content/plugins/', '/wp-content/themes/'];

const ANYTHING = (): string => '';

export const KINDS: Readonly<Record<BehaviourName, BehaviourKind>> = {
  'path-probing': {
    ruleName: 'Many missing or forbidden paths asked for by one source (path probing)',
    threatId: 'web-path-probing',
    concerns: (s) => NOT_FOUND_OR_REFUSED.has(s.status) && s.path !== '' && !isStatic(s.path),
    distinct: true,
    value: (s) => s.path,
    counted: 'requests for distinct missing or forbidden paths',
  },
  'wordpress-extension-probing': {
    ruleName: 'Missing WordPress plugins or themes asked for by one source (vulnerable-plugin scan)',
    threatId: 'web-path-probing',
    concerns: (s) => s.status === 404 && WORDPRESS_EXTENSIONS.some((p) => s.path.toLowerCase().includes(p)),
    distinct: true,
    value: (s) => s.path,
    counted: 'requests for distinct missing WordPress plugin or theme files',
  },
  'wordpress-user-enumeration': {
    ruleName: 'WordPress author numbers walked through by one source (user enumeration)',
    threatId: 'wordpress-user-enumeration',
    concerns: (s) => authorNumber(s.query) !== null,
    distinct: true,
    value: (s) => authorNumber(s.query) ?? '',
    counted: 'requests for distinct ?author= numbers',
  },
  'auth-failures': {
    ruleName: 'Repeated HTTP authentication failures (401) from one source',
    threatId: 'http-auth-brute-force',
    concerns: (s) => s.status === 401,
    distinct: false,
    value: ANYTHING,
    counted: 'requests answered 401 Unauthorized',
  },
  'login-form': {
    ruleName: 'Repeated POSTs to a login form from one source',
    threatId: 'http-auth-brute-force',
    concerns: (s) => s.method === 'POST' && isLoginForm(s.path),
    distinct: false,
    value: ANYTHING,
    counted: 'POSTs to a login form',
  },
  'wordpress-login': {
    ruleName: 'Repeated POSTs to wp-login.php from one source',
    threatId: 'wordpress-login-bruteforce',
    concerns: (s) => s.method === 'POST' && endsWithFold(s.path, '/wp-login.php'),
    distinct: false,
    value: ANYTHING,
    counted: 'POSTs to wp-login.php',
  },
  'wordpress-xmlrpc': {
    ruleName: 'Repeated POSTs to xmlrpc.php from one source',
    threatId: 'wordpress-xmlrpc-abuse',
    concerns: (s) => s.method === 'POST' && endsWithFold(s.path, '/xmlrpc.php'),
    distinct: false,
    value: ANYTHING,
    counted: 'POSTs to xmlrpc.php',
  },
};
