import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** Benign request shapes of a small site's access log: ids and queries make most paths distinct. */
export const BENIGN_PATHS: ReadonlyArray<(n: number) => string> = [
  (n) => `/blog/${2000 + (n % 25)}/${(n % 12) + 1}/${n % 28}/post-${n}.html`,
  (n) => `/img/photo-${n}.jpg`,
  (n) => `/search?q=term${n}&page=${n % 7}`,
  (n) => `/shop/item/${n}?ref=home`,
  () => '/',
  () => '/css/site.css',
  () => '/favicon.ico',
  (n) => `/api/v1/items/${n}/reviews?limit=20`,
];

/** The few User-Agents that make up most of such a log. */
export const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)',
  'curl/8.5.0',
];

/** Attacks the bench's log holds and its peers are asked to find: proxy abuse, traversal, probes, injection. */
export const ATTACKS: readonly string[] = [
  'GET http://irc.stealth.net:5558/ HTTP/1.1',
  'CONNECT maila.microsoft.com:25 / HTTP/1.0',
  'CONNECT mx.example.com:25 HTTP/1.1',
  'GET /../../../../etc/passwd HTTP/1.1',
  'GET /cgi-bin/.%2e/.%2e/.%2e/etc/passwd HTTP/1.1',
  'GET /phpMyAdmin/scripts/setup.php HTTP/1.1',
  'GET /phpmyadmin/index.php HTTP/1.1',
  "GET /index.php?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1",
  'GET /.env HTTP/1.1',
  'GET /.git/config HTTP/1.1',
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * A deterministic combined log of `lines` lines, `attackPercent` % of them attacks (the
 * standard log has 2 %), one line per ~86 ms; returns how many attack lines it wrote.
 */
export async function generateLog(file: string, lines: number, attackPercent = 2): Promise<number> {
  const out = createWriteStream(file);
  let attacks = 0;
  let seed = 0x2f6b_1a3d;
  const rnd = (n: number): number => {
    // xorshift32: deterministic, and its low bits are not periodic like an LCG's.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const t0 = Date.UTC(2003, 0, 1);
  let batch = '';
  for (let i = 0; i < lines; i++) {
    const ip = `${11 + rnd(200)}.${rnd(256)}.${rnd(256)}.${1 + rnd(254)}`;
    const time = clf(t0 + i * 86);
    if (rnd(100) < attackPercent) {
      const req = ATTACKS[rnd(ATTACKS.length)] as string;
      const status = req.startsWith('CONNECT') ? 400 : req.startsWith('GET http') ? 200 : 404;
      batch += `${ip} - - [${time}] "${req}" ${status} 226 "-" "-"\n`;
      attacks++;
    } else {
      const path = (BENIGN_PATHS[rnd(BENIGN_PATHS.length)] as (n: number) => string)(rnd(100_000));
      batch += `${ip} - - [${time}] "GET ${path} HTTP/1.1" 200 ${100 + rnd(50_000)} "https://www.example.org/" "${USER_AGENTS[rnd(USER_AGENTS.length)]}"\n`;
    }
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return attacks;
}
