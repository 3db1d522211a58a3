import { parseJsonLine } from './jsonFormat.js';
import { compileLogFormat, plainLineReader } from './logFormat.js';
import { parseNginxErrorLine } from './nginxErrorFormat.js';
import type { LineParser, LogFormat, LogRecord } from './record.js';
import { syslogMessageStart } from './syslogPrefix.js';

/** Apache's stock LogFormat nicknames, nginx's default `combined` and the `main` of nginx.org's packages. */
export const NAMED_FORMATS: Readonly<Record<string, string>> = {
  common: '%h %l %u %t "%r" %>s %b',
  combined: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
  vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  /** The virtual host without its port, as many hand-written vhost formats have it. */
  vhost_host_combined: '%v %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  combinedio: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" %I %O',
  nginx:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
  /** nginx.org's packaged nginx.conf: `combined` and the X-Forwarded-For its proxies sent (see trusted_proxies). */
  nginx_main:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
};

/**
 * A format by name (`combined`, `nginx`, `json`, …) or a LogFormat / log_format string.
 * Throws LogFormatError for a string that cannot be compiled.
 */
export function resolveFormat(nameOrSpec: string): LogFormat {
  if (nameOrSpec.startsWith(SYSLOG)) return behindSyslog(resolveFormat(nameOrSpec.slice(SYSLOG.length)));
  if (nameOrSpec === 'json' || nameOrSpec === 'traefik') return { name: 'json', spec: 'json', parse: parseJsonLine };
  if (nameOrSpec === 'nginx_error') return { name: 'nginx_error', spec: 'nginx_error', parse: parseNginxErrorLine };
  const named = NAMED_FORMATS[nameOrSpec];
  const spec = named ?? nameOrSpec;
  const plain = plainLineReader(spec);
  return { name: named ? nameOrSpec : 'custom', spec, parse: compileLogFormat(spec), ...(plain ? { plain } : {}) };
}

const SYSLOG = 'syslog:';

/**
 * A format's lines as syslog delivered them (./syslogPrefix.ts): the header is skipped, the rest
 * read by `inner`. The whole line stays the evidence.
 */
function behindSyslog(inner: LogFormat): LogFormat {
  const parse = (line: string): LogRecord | null => {
    const at = syslogMessageStart(line);
    return at < 0 ? null : inner.parse(line.slice(at));
  };
  return { name: `${SYSLOG}${inner.name}`, spec: `${SYSLOG}${inner.spec}`, parse };
}

/**
 * Candidates for auto-detection, most specific first (combined lines also parse as common); the
 * same behind a syslog header after them (nginx's error lines allow one already).
 */
const PLAIN_ORDER = ['json', 'vhost_combined', 'vhost_host_combined', 'nginx_main', 'combined', 'common'] as const;
const AUTO_ORDER = [...PLAIN_ORDER, 'nginx_error', ...PLAIN_ORDER.map((n) => `${SYSLOG}${n}`)];

/**
 * Guess the format from a sample of lines: the candidate that parses the most of them, the more
 * specific one winning ties. Returns null when none parses any.
 */
export function detectFormat(sample: readonly string[]): LogFormat | null {
  let best: LogFormat | null = null;
  let bestCount = 0;
  for (const name of AUTO_ORDER) {
    const format = resolveFormat(name);
    let n = 0;
    for (const line of sample) if (line !== '' && format.parse(line) !== null) n++;
    if (n > bestCount) {
      best = format;
      bestCount = n;
    }
  }
  return best;
}

/**
 * A parser for logs whose format is not given: it starts with the detected format and, for a
 * line that does not fit, tries the other candidates — so a file that mixes formats (JSON after
 * a switch, common lines from an old vhost) still parses line by line.
 */
export function autoFormat(primary: LogFormat | null): LogFormat {
  const others = AUTO_ORDER.filter((n) => n !== primary?.name).map((n) => resolveFormat(n));
  const chain: LineParser[] = primary ? [primary.parse, ...others.map((f) => f.parse)] : others.map((f) => f.parse);
  const parse = (line: string): LogRecord | null => {
    for (const p of chain) {
      const r = p(line);
      if (r !== null) return r;
    }
    return null;
  };
  // The primary parser is tried first: a line its raw-line reader reads, it parses.
  const plain = primary?.plain;
  return {
    name: primary ? `auto:${primary.name}` : 'auto',
    spec: primary?.spec ?? 'auto',
    parse,
    ...(plain ? { plain } : {}),
  };
}
