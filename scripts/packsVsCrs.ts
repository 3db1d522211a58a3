/**
 * `npm run test:packs`: bansho's own rule packs against CRS (PL1 and PL2) on labelled parameter
 * values from other projects (../shared/corpus/payloads: HttpParamsDataset, PayloadsAllTheThings).
 * Each value is built into realistic requests — a query argument of a GET and a field of an
 * urlencoded POST, among ordinary arguments and browser headers — and each engine says block or
 * pass. Reported per attack class: the share of attack requests flagged; for the normal values:
 * the share flagged (false positives). For information, the attack requests of CRS's own
 * regression tests (crs-tests/) per CRS rule file, split the same way.
 *
 * The values are split once, by a hash of the value, into a development part (70 %) and a
 * held-out part (30 %). Rules are tuned on the development part only (`--part dev` prints the
 * misses); the held-out part stands in for a sample the project has never seen, and is what the
 * floors below judge: own packs ≥ CRS PL2 on attacks, ≤ 1 % false positives.
 * Without ../shared it says so and exits 0 (CI runs it only where the corpus is present).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_RULES_DIR } from '../src/catalog/index.js';
import { loadRuleDir } from '../src/catalog/loadRules.js';
import { type CrsEngine, type CrsRequest, loadCrs } from '../src/crs/index.js';
import { httpObservation } from '../src/detect/examples.js';
import type { Engine } from '../src/detect/types.js';
import { decide } from '../src/detect/verdict.js';
import { httpParams, payloadsAllTheThings } from './corpus/detect-fp.js';
import { ftwAttacks } from './packs/ftwAttacks.js';

/** Held-out figures that fail the run: the own packs must flag at least CRS PL2's share, at ≤ 1 % FP. */
const MAX_FP = 0.01;

type Part = 'dev' | 'held-out';

/** PayloadsAllTheThings folders → attack class (the folder is the label). */
const PATT_CLASS: Readonly<Record<string, string>> = {
  Command_Injection: 'cmdi',
  Directory_Traversal: 'path-traversal',
  File_Inclusion: 'path-traversal',
  LDAP_Injection: 'ldapi',
  NoSQL_Injection: 'nosqli',
  Open_Redirect: 'open-redirect',
  SQL_Injection: 'sqli',
  Server_Side_Template_Injection: 'ssti',
  XSS_Injection: 'xss',
};

/** Classes judged for the floor: the generic ones both engines claim (not open redirects, LDAP). */
const JUDGED = new Set(['sqli', 'xss', 'path-traversal', 'cmdi', 'ssti', 'nosqli']);

/**
 * Values per class and part, taken in hash order, so that no list (dotdotpwn's 20,000 encodings
 * of one traversal) outweighs the others and a run stays within a minute or two.
 */
const PER_CLASS = 600;
const NORMAL = 3000;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The values of one part, at most PER_CLASS per attack class (NORMAL normal ones), in hash order. */
/** 30 % held out: the first byte of the SHA-256, mod 10, below 3. */
function partOf(value: string): Part {
  return (digest(value)[0] as number) % 10 < 3 ? 'held-out' : 'dev';
}

function sample(values: readonly Labelled[], part: Part): Labelled[] {
  const byClass = new Map<string, Array<{ key: string; item: Labelled }>>();
  for (const item of values) {
    if (partOf(item.value) !== part) continue;
    const h = digest(item.value);
    const list = byClass.get(item.cls) ?? [];
    list.push({ key: h.toString('hex'), item });
    byClass.set(item.cls, list);
  }
  return [...byClass].flatMap(([cls, list]) =>
    list
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .slice(0, cls === 'normal' ? NORMAL : PER_CLASS)
      .map((e) => e.item),
  );
}

interface Labelled {
  readonly cls: string;
  readonly value: string;
}

/** Every labelled value once per class, attacks and normal values ('normal'). */
function labelled(corpusDir: string): Labelled[] {
  const seen = new Set<string>();
  const out: Labelled[] = [];
  const add = (cls: string, value: string) => {
    const key = `${cls}\0${value}`;
    if (value.trim() === '' || seen.has(key)) return;
    seen.add(key);
    out.push({ cls, value });
  };
  const params = httpParams(corpusDir);
  for (const v of params.norm) add('normal', v);
  for (const [cls, values] of Object.entries(params.attacks)) for (const v of values) add(cls, v);
  for (const [folder, values] of payloadsAllTheThings(corpusDir)) {
    const cls = PATT_CLASS[folder];
    if (cls !== undefined) for (const v of values) add(cls, v);
  }
  return out;
}

const HOST = 'shop.example.com';
const BROWSER: ReadonlyArray<readonly [string, string]> = [
  ['Host', HOST],
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Accept-Language', 'es-ES,es;q=0.8,en;q=0.5'],
  ['Accept-Encoding', 'gzip, deflate'],
  ['Cookie', 'JSESSIONID=933185092E0B668B90676E0A2B0767AF'],
  ['Connection', 'close'],
];

/** A form field as a browser encodes it (UTF-8, `+` for spaces). */
const formEncode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');

interface Shape {
  readonly name: string;
  readonly build: (value: string) => { raw: string; crs: CrsRequest };
}

const SHAPES: readonly Shape[] = [
  {
    name: 'GET query',
    build: (value) => {
      const uri = `/shop/product.jsp?id=2&name=${formEncode(value)}&qty=1`;
      return request('GET', uri, BROWSER, '');
    },
  },
  {
    name: 'POST form',
    build: (value) => {
      const body = `login=alice&name=${formEncode(value)}&send=Send`;
      const headers = [
        ...BROWSER,
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['Content-Length', String(Buffer.byteLength(body))],
      ] as const;
      return request('POST', '/shop/register.jsp', headers, body);
    },
  },
];

function request(
  method: string,
  uri: string,
  headers: ReadonlyArray<readonly [string, string]>,
  body: string,
): { raw: string; crs: CrsRequest } {
  const head = `${method} ${uri} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return {
    raw: head + body,
    crs: { method, uri, version: 'HTTP/1.1', headers, body: body === '' ? null : body, remoteAddr: '198.51.100.7' },
  };
}

interface Tally {
  total: number;
  own: number;
  pl1: number;
  pl2: number;
}

export interface Figures {
  readonly byClass: ReadonlyMap<string, Tally>;
  /** Values the own packs judged wrongly in a GET query (missed attacks, false positives), and whether CRS PL2 did. */
  readonly missed: ReadonlyArray<{ cls: string; value: string; crsRight: boolean }>;
}

export function measure(corpusDir: string, crsDir: string, part: Part): Figures {
  const own: Engine = loadRuleDir(BUILTIN_RULES_DIR, { site_names: [HOST, 'localhost'] }).engine;
  const pl1: CrsEngine = loadCrs({ dir: crsDir, paranoiaLevel: 1 });
  const pl2: CrsEngine = loadCrs({ dir: crsDir, paranoiaLevel: 2 });
  const byClass = new Map<string, Tally>();
  const missed: Array<{ cls: string; value: string; crsRight: boolean }> = [];
  const judge = (cls: string, raw: string, crs: CrsRequest) => {
    const t = byClass.get(cls) ?? { total: 0, own: 0, pl1: 0, pl2: 0 };
    byClass.set(cls, t);
    const kind = decide(own.match(httpObservation(raw))).kind;
    const byOwn = kind === 'block' || kind === 'ban';
    const byPl1 = pl1.evaluate(crs).blocked;
    const byPl2 = byPl1 || pl2.evaluate(crs).blocked;
    t.total++;
    if (byOwn) t.own++;
    if (byPl1) t.pl1++;
    if (byPl2) t.pl2++;
    return { byOwn, byPl2 };
  };
  for (const { cls, value } of sample(labelled(corpusDir), part))
    for (const shape of SHAPES) {
      const { raw, crs } = shape.build(value);
      const { byOwn, byPl2 } = judge(cls, raw, crs);
      const attack = cls !== 'normal';
      if (shape === SHAPES[0] && byOwn !== attack) missed.push({ cls, value, crsRight: byPl2 === attack });
    }
  // CRS's own attack tests, for information: CRS was written against them, so it leads there.
  const regressionDir = join(corpusDir, 'crs-tests', 'tests', 'regression');
  if (existsSync(regressionDir))
    for (const attack of ftwAttacks(regressionDir)) {
      if (partOf(attack.key) !== part) continue;
      const { byOwn, byPl2 } = judge(attack.family, attack.raw, attack.crs);
      if (!byOwn && byPl2) missed.push({ cls: attack.family, value: attack.raw.slice(0, 300), crsRight: true });
    }
  return { byClass, missed };
}

const pct = (n: number, d: number) => `${((100 * n) / Math.max(d, 1)).toFixed(2)} %`;

export function report(figures: Figures): { ok: boolean; lines: string[] } {
  const lines = [
    `${'class'.padEnd(26)}${'requests'.padStart(9)}${'own packs'.padStart(18)}${'CRS PL1'.padStart(18)}${'CRS PL2'.padStart(18)}`,
  ];
  const judged: Tally = { total: 0, own: 0, pl1: 0, pl2: 0 };
  const row = (name: string, t: Tally) =>
    `${name.padEnd(26)}${String(t.total).padStart(9)}${`${t.own} ${pct(t.own, t.total)}`.padStart(18)}${`${t.pl1} ${pct(t.pl1, t.total)}`.padStart(18)}${`${t.pl2} ${pct(t.pl2, t.total)}`.padStart(18)}`;
  for (const [cls, t] of [...figures.byClass].sort(([a], [b]) => a.localeCompare(b))) {
    if (cls === 'normal') continue;
    lines.push(row(JUDGED.has(cls) ? cls : `${cls} (info)`, t));
    if (JUDGED.has(cls)) for (const k of ['total', 'own', 'pl1', 'pl2'] as const) judged[k] += t[k];
  }
  lines.push(row('all judged', judged));
  const normal = figures.byClass.get('normal') ?? { total: 0, own: 0, pl1: 0, pl2: 0 };
  lines.push(row('normal (FP)', normal));
  const fp = normal.own / Math.max(normal.total, 1);
  return { ok: judged.own >= judged.pl2 && fp <= MAX_FP, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const shared = resolve(process.env.BANSHO_SHARED ?? join(root, '..', 'shared'));
  const corpusDir = join(shared, 'corpus');
  const crsDir = join(shared, 'crs');
  if (!existsSync(join(corpusDir, 'payloads')) || !existsSync(crsDir)) {
    console.log(`labelled payloads or CRS not found under ${shared}: nothing to run`);
    process.exit(0);
  }
  const part: Part = process.argv.includes('--part') && process.argv.includes('dev') ? 'dev' : 'held-out';
  const started = performance.now();
  const figures = measure(corpusDir, crsDir, part);
  const { ok, lines } = report(figures);
  console.log(`own packs vs CRS on the ${part} part (${SHAPES.map((s) => s.name).join(', ')} per value)`);
  for (const l of lines) console.log(l);
  if (part === 'dev' && process.argv.includes('--misses'))
    for (const m of figures.missed)
      console.log(
        `${m.cls === 'normal' ? 'fp' : 'miss'}${m.crsRight ? ' (CRS PL2 right)' : ''} ${m.cls}: ${JSON.stringify(m.value)}`,
      );
  console.log(`${ok ? 'ok' : 'FAIL'} packs-vs-crs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.exit(ok ? 0 : 1);
}
