/**
 * Detection, not speed (issue 19's check): on a labelled sample of HttpParamsDataset
 * (../shared/corpus/payloads: sqlmap, XSS, traversal and command-injection values, and the
 * normal values of CSIC 2010), each value sent as a query parameter with a browser's headers:
 * how many attacks, and how many normal values, bansho refuses (the packs and CRS PL1 together,
 * as the gateway decides one request) against Apache + ModSecurity 2 + CRS 3.3.4 PL1 (403s).
 * bansho's CRS is Debian's 3.3.4, the same rules; CRS alone (the engine against ModSecurity on the
 * same rules), CRS v4 and the packs alone for information.
 * Goal: at least as many attacks as Apache + ModSecurity, no more false positives.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine } from '../src/catalog/index.js';
import { type CrsSettings, resolveCrs } from '../src/config/crsSettings.js';
import { CrsDetector, withCrs } from '../src/crs/index.js';
import { httpObservation } from '../src/detect/examples.js';
import type { Engine } from '../src/detect/types.js';
import { decide } from '../src/detect/verdict.js';
import { apacheMissing, DEBIAN_CRS, freePort, startApache } from './_apacheModsec.js';
import { tracked } from './_children.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATASET = join(ROOT, '..', 'shared', 'corpus', 'payloads', 'HttpParamsDataset', 'payload_train.csv');
const CRS_V4 = join(ROOT, '..', 'shared', 'crs');
/** Per class, at most this many values, spread evenly over the file. */
const PER_CLASS: Readonly<Record<string, number>> = {
  sqli: 150,
  xss: 150,
  'path-traversal': 150,
  cmdi: 150,
  norm: 600,
};
const HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Host', 'www.example.org'],
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Accept-Language', 'en-US,en;q=0.5'],
];

interface Sample {
  readonly label: string;
  readonly path: string;
}

export async function run(): Promise<void> {
  if (!existsSync(DATASET)) {
    console.log(`${DATASET} not found: nothing to measure`);
    return;
  }
  if (!existsSync(DEBIAN_CRS)) {
    console.log(`${DEBIAN_CRS} not found (apt-get install modsecurity-crs): nothing to compare`);
    return;
  }
  const samples = sample();
  const packs = loadEngine({ lists: { site_names: ['www.example.org'] } });
  /** `--crs DIR` with the config's defaults. */
  const settings = (dir: string): CrsSettings => {
    const resolved = resolveCrs(undefined, { crs: dir });
    if (resolved === null) throw new Error('--crs gave no CRS settings');
    return resolved;
  };

  const columns: Array<{ name: string; flagged: (s: Sample) => Promise<boolean> | boolean }> = [
    { name: 'bansho packs + CRS 3.3.4', flagged: byEngine(withCrs(packs, CrsDetector.load(settings(DEBIAN_CRS)))) },
  ];
  if (existsSync(CRS_V4))
    columns.push({
      name: 'bansho packs + CRS v4',
      flagged: byEngine(withCrs(packs, CrsDetector.load(settings(CRS_V4)))),
    });
  const noPacks: Engine = { ruleCount: 0, match: () => [] };
  columns.push({
    name: 'bansho CRS 3.3.4 alone',
    flagged: byEngine(withCrs(noPacks, CrsDetector.load(settings(DEBIAN_CRS)))),
  });
  if (existsSync(CRS_V4))
    columns.push({
      name: 'bansho CRS v4 alone',
      flagged: byEngine(withCrs(noPacks, CrsDetector.load(settings(CRS_V4)))),
    });
  columns.push({ name: 'bansho packs alone', flagged: byEngine(packs) });
  const missing = apacheMissing();
  const dir = mkdtempSync(join(tmpdir(), 'bansho-crs-detection-'));
  chmodSync(dir, 0o777);
  const upstreamPort = await freePort();
  const upstream = tracked(
    spawn(process.execPath, ['--import', 'tsx', 'bench/_upstream.ts', String(upstreamPort)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await new Promise((resolve) => upstream.stdout.once('data', resolve));
  const apache = missing === null ? await startApache(upstreamPort, dir) : null;
  if (apache !== null) columns.push({ name: apache.name, flagged: byServer(apache.url) });
  else console.log(`Apache + ModSecurity not measured: ${missing}`);
  try {
    const counts = new Map<string, Map<string, number>>();
    for (const s of samples)
      for (const c of columns) {
        const byLabel = counts.get(c.name) ?? new Map<string, number>();
        counts.set(c.name, byLabel);
        if (await c.flagged(s)) byLabel.set(s.label, (byLabel.get(s.label) ?? 0) + 1);
      }
    report(
      samples,
      columns.map((c) => c.name),
      counts,
    );
  } finally {
    await apache?.stop();
    upstream.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(samples: readonly Sample[], names: readonly string[], counts: Map<string, Map<string, number>>): void {
  const labels = Object.keys(PER_CLASS);
  const total = (label: string) => samples.filter((s) => s.label === label).length;
  const attacks = samples.filter((s) => s.label !== 'norm').length;
  console.log(`HttpParamsDataset sample: ${labels.map((l) => `${total(l)} ${l}`).join(', ')}; GET /search?q=VALUE\n`);
  const width = Math.max(...names.map((n) => n.length));
  console.log(`${''.padEnd(width)}  ${labels.map((l) => l.padStart(15)).join('')}  ${'attacks'.padStart(12)}`);
  for (const name of names) {
    const c = counts.get(name) ?? new Map<string, number>();
    const flaggedAttacks = labels.filter((l) => l !== 'norm').reduce((sum, l) => sum + (c.get(l) ?? 0), 0);
    console.log(
      `${name.padEnd(width)}  ${labels.map((l) => `${c.get(l) ?? 0}/${total(l)}`.padStart(15)).join('')}  ${`${flaggedAttacks}/${attacks}`.padStart(12)}`,
    );
  }
  console.log('\n(norm: false positives, normal values refused)');
}

/** Per class, values spread evenly over the file, the same at every run. */
function sample(): Sample[] {
  const rows = readFileSync(DATASET, 'utf8')
    .split('\n')
    .slice(1)
    .map(parseCsvRow)
    .filter((r) => r !== null);
  const out: Sample[] = [];
  for (const [label, n] of Object.entries(PER_CLASS)) {
    const of = rows.filter((r) => r.label === label);
    const step = Math.max(1, Math.floor(of.length / n));
    for (let i = 0; i < of.length && out.filter((s) => s.label === label).length < n; i += step)
      out.push({ label, path: `/search?q=${encodeURIComponent((of[i] as { payload: string }).payload)}` });
  }
  return out;
}

/** `"payload","length","attack_type","label"`: the payload may hold commas and doubled quotes. */
function parseCsvRow(line: string): { payload: string; label: string } | null {
  const m = /^"((?:[^"]|"")*)","\d+","([^"]*)","[^"]*"\s*$/.exec(line);
  return m === null ? null : { payload: (m[1] as string).replace(/""/g, '"'), label: m[2] as string };
}

function byEngine(engine: Engine): (s: Sample) => boolean {
  return (s) => {
    const raw = `GET ${s.path} HTTP/1.1\r\n${HEADERS.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
    const kind = decide(engine.match(httpObservation(raw, '198.51.100.7'))).kind;
    return kind === 'block' || kind === 'ban';
  };
}

function byServer(url: string): (s: Sample) => Promise<boolean> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  return (s) =>
    new Promise((resolve, reject) => {
      const req = request({ agent, hostname, port, path: s.path, headers: Object.fromEntries(HEADERS) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 403));
      });
      req.on('error', reject);
      req.end();
    });
}
