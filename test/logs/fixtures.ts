/**
 * Access-log fixtures built from the seed: the PrettyPark proxy probe as Apache logged it —
 * the absolute-form GET answered 200 with the site's own top page, then the four-token
 * `CONNECT maila.microsoft.com:25 / HTTP/1.0` refused with 400, repeated — returning about
 * every four months, among ordinary traffic.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `[03/Feb/2003:00:12:44 +0000]` for a UTC time. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `[${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000]`;
}

export function combinedLine(ip: string, ms: number, request: string, status: number, bytes: number, ua = '-'): string {
  return `${ip} - - ${clfTime(ms)} "${request}" ${status} ${bytes} "-" "${ua}"`;
}

/** One episode: the proxy test, then `connects` CONNECTs to the mail server, seconds apart. */
export function seedIncident(ip: string, start: number, connects = 3): string[] {
  const lines = [combinedLine(ip, start, 'GET http://irc.stealth.net:5558/ HTTP/1.1', 200, 5120)];
  for (let i = 0; i < connects; i++)
    lines.push(combinedLine(ip, start + 7000 + i * 3000, 'CONNECT maila.microsoft.com:25 / HTTP/1.0', 400, 226));
  return lines;
}

export const DAY_MS = 86_400_000;

/** The seed's Monday, 3 February 2003, 00:12:44 UTC (09:12:44 in Japan). */
export const SEED_TIME = Date.UTC(2003, 1, 3, 0, 12, 44);

/** Italian dial-up sources (addresses in an Italian access network's range). */
export const SOURCES = ['151.21.4.7', '151.21.88.19', '151.21.4.7', '151.29.130.2'] as const;

/** Episode start times: four, 120 days apart, the last on the seed's day. */
export const EPISODES: readonly number[] = [3, 2, 1, 0].map((k) => SEED_TIME - k * 120 * DAY_MS);

/**
 * A year of the site's log: benign traffic every day (a few visitors) and the seed incident
 * at each episode. Lines are in time order, as a server writes them.
 */
export function seedYearLog(): string[] {
  const lines: Array<[number, string]> = [];
  const first = (EPISODES[0] as number) - 10 * DAY_MS;
  for (let t = first; t <= SEED_TIME + 5 * DAY_MS; t += DAY_MS) {
    lines.push([
      t + 3_600_000,
      combinedLine('198.51.100.20', t + 3_600_000, 'GET / HTTP/1.1', 200, 5120, 'Mozilla/4.0'),
    ]);
    lines.push([
      t + 7_200_000,
      combinedLine('198.51.100.21', t + 7_200_000, 'GET /room/index.html HTTP/1.1', 200, 2048, 'Mozilla/4.0'),
    ]);
  }
  EPISODES.forEach((start, i) => {
    seedIncident(SOURCES[i] as string, start).forEach((line, j) => {
      lines.push([start + j, line]);
    });
  });
  return lines.sort((a, b) => a[0] - b[0]).map(([, l]) => l);
}
