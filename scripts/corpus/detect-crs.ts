/**
 * The OWASP CRS v4 regression tests (crs-tests/, go-ftw YAML) replayed through bansho's engine:
 * for the attack families bansho has packs for (LFI 930, RFI 931, RCE 932, PHP 933, XSS 941,
 * SQLi 942, Java 944, scanners 913), the share of tests CRS expects to fire that bansho blocks
 * or bans; and, for information, how many of the tests CRS expects *not* to fire bansho flags
 * (those are near-misses for one CRS rule, often still attacks for another, so no floor).
 * CRS spans paranoia levels 1–4, so detection below 100% is expected.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadEngine } from '../../src/catalog/index.js';
import { httpObservation } from '../../src/detect/examples.js';
import type { Engine } from '../../src/detect/types.js';
import { decide } from '../../src/detect/verdict.js';

export const FLOORS = { minDetection: 0.19 } as const;

const FAMILIES: Readonly<Record<string, string>> = {
  '913': 'scanners',
  '930': 'path traversal / LFI',
  '931': 'remote file inclusion',
  '932': 'command injection',
  '933': 'PHP injection',
  '941': 'XSS',
  '942': 'SQL injection',
  '944': 'Java (Log4Shell, Spring, Struts)',
};

interface FtwInput {
  method?: string;
  uri?: string;
  version?: string;
  headers?: Record<string, string>;
  data?: string;
  encoded_request?: string;
}
interface FtwTest {
  stages?: Array<{ input?: FtwInput; output?: { log?: { expect_ids?: number[]; no_expect_ids?: number[] } } }>;
}

export async function run(corpusDir: string): Promise<{ name: string; ok: boolean; summary: string }> {
  const root = join(corpusDir, 'crs-tests', 'tests', 'regression', 'tests');
  if (!existsSync(root)) return { name: 'detect-crs', ok: true, summary: 'crs-tests not present, skipped' };
  const engine = loadEngine({ lists: { site_names: ['localhost'] } });
  let attacks = 0;
  let detected = 0;
  let nearMisses = 0;
  let nearMissFlagged = 0;
  for (const dir of readdirSync(root).sort()) {
    const family = /^REQUEST-(\d{3})-/.exec(dir)?.[1];
    if (family === undefined || FAMILIES[family] === undefined) continue;
    const r = { attacks: 0, detected: 0, nearMisses: 0, flagged: 0 };
    for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml'))) {
      const doc = parse(readFileSync(join(root, dir, file), 'utf8')) as { tests?: FtwTest[] };
      for (const test of doc.tests ?? [])
        for (const stage of test.stages ?? []) {
          const raw = stage.input ? rawRequest(stage.input) : null;
          const log = stage.output?.log;
          if (raw === null || log === undefined) continue;
          const isAttack = (log.expect_ids ?? []).length > 0;
          const isNearMiss = !isAttack && (log.no_expect_ids ?? []).length > 0;
          if (!isAttack && !isNearMiss) continue;
          const hit = flagged(engine, raw);
          if (isAttack) {
            r.attacks++;
            if (hit) r.detected++;
          } else {
            r.nearMisses++;
            if (hit) r.flagged++;
          }
        }
    }
    attacks += r.attacks;
    detected += r.detected;
    nearMisses += r.nearMisses;
    nearMissFlagged += r.flagged;
    console.log(
      `  CRS ${family} ${FAMILIES[family]}: ${r.detected}/${r.attacks} attack tests blocked (${pct(r.detected / Math.max(1, r.attacks))}); ${r.flagged}/${r.nearMisses} near-miss tests flagged`,
    );
  }
  const rate = detected / Math.max(1, attacks);
  return {
    name: 'detect-crs',
    ok: rate >= FLOORS.minDetection,
    summary: `CRS regression tests: ${detected}/${attacks} attack tests blocked (${pct(rate)}), ${nearMissFlagged}/${nearMisses} near-miss tests flagged (${pct(nearMissFlagged / Math.max(1, nearMisses))})`,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function flagged(engine: Engine, raw: string): boolean {
  const kind = decide(engine.match(httpObservation(raw))).kind;
  return kind === 'block' || kind === 'ban';
}

/** The request go-ftw would send: its raw bytes when given, otherwise built from the fields. */
function rawRequest(input: FtwInput): string | null {
  if (input.encoded_request) return Buffer.from(input.encoded_request, 'base64').toString('latin1');
  const headers = { ...(input.headers ?? {}) };
  const data = input.data ?? '';
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  // go-ftw completes a body-bearing request with a form content type.
  if (data !== '' && !names.includes('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const head = [
    `${input.method ?? 'GET'} ${input.uri ?? '/'} ${input.version ?? 'HTTP/1.1'}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${head.join('\r\n')}\r\n\r\n${data}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run(process.argv[2] ?? join(process.cwd(), '..', 'shared', 'corpus'));
  console.log(`${result.ok ? 'ok' : 'FAIL'} ${result.name}: ${result.summary}`);
}
