/**
 * Apache (event MPM) as a reverse proxy with ModSecurity 2 and Debian's CRS 3.3.4 at PL1, in a
 * directory of its own, no access log: the peer of bench/crsGateway.ts and bench/crsDetection.ts.
 * Needs `apt-get install apache2 libapache2-mod-security2 modsecurity-crs`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const DEBIAN_CRS = '/usr/share/modsecurity-crs';
const DEBIAN_SETUP = '/etc/modsecurity/crs/crs-setup.conf';
const MODULES = '/usr/lib/apache2/modules';

export interface Server {
  readonly name: string;
  readonly url: string;
  /** Every process of the server now (Apache's children come and go). */
  pids(): number[];
  stop(): Promise<void>;
}

/** Why Apache + ModSecurity cannot run here, or null. */
export function apacheMissing(): string | null {
  if (!hasCommand('apache2')) return 'apache2 not found (apt-get install apache2 libapache2-mod-security2)';
  if (!existsSync(join(MODULES, 'mod_security2.so')))
    return 'mod_security2 not found (apt-get install libapache2-mod-security2)';
  if (!existsSync(DEBIAN_SETUP)) return `${DEBIAN_SETUP} not found (apt-get install modsecurity-crs)`;
  return null;
}

/** Apache (event MPM, Debian's defaults) as a reverse proxy with ModSecurity 2 and CRS, no access log. */
export async function startApache(upstreamPort: number, dir: string): Promise<Server> {
  const port = await freePort();
  const conf = join(dir, 'httpd.conf');
  const modules = ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'unique_id', 'security2'];
  writeFileSync(
    conf,
    [
      'ServerRoot /etc/apache2',
      'ServerName bench.local',
      `PidFile ${dir}/httpd.pid`,
      `Listen 127.0.0.1:${port}`,
      ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
      ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
      `ErrorLog ${dir}/apache-error.log`,
      'LogLevel warn',
      'SecRuleEngine On',
      'SecRequestBodyAccess On',
      'SecResponseBodyAccess Off',
      'SecAuditEngine Off',
      `SecDataDir ${dir}`,
      `SecTmpDir ${dir}`,
      `Include ${DEBIAN_SETUP}`,
      `Include ${DEBIAN_CRS}/rules/*.conf`,
      `ProxyPass / http://127.0.0.1:${upstreamPort}/ keepalive=On`,
    ].join('\n'),
  );
  const env = { ...process.env, APACHE_RUN_DIR: dir, APACHE_LOCK_DIR: dir, APACHE_LOG_DIR: dir };
  execFileSync('apache2', ['-f', conf, '-k', 'start'], { env });
  const parent = await waitFor(() => {
    try {
      return Number(readFileSync(join(dir, 'httpd.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  });
  await waitFor(async () => ((await canConnect(port)) ? true : undefined));
  return {
    name: 'Apache + ModSecurity 2 + CRS 3.3.4 PL1',
    url: `http://127.0.0.1:${port}`,
    pids: () => [parent, ...childrenOf(parent)],
    async stop() {
      execFileSync('apache2', ['-f', conf, '-k', 'stop'], { env });
      await waitFor(() => (existsSync(`/proc/${parent}`) ? undefined : true));
    },
  };
}

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) out.push(Number(name));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting for a server to start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
