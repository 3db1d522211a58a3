import { join } from 'node:path';
import type { CrsRequest } from '../../src/crs/index.js';
import { rawRequest } from '../crs/ftwRequest.js';
import { loadSuite } from '../crs/ftwSuite.js';

/** CRS rule files of generic attack classes (the protocol and scanner files are not attacks on an application). */
const FAMILIES: Readonly<Record<string, string>> = {
  '921': 'crs 921 protocol attack',
  '930': 'crs 930 lfi',
  '931': 'crs 931 rfi',
  '932': 'crs 932 rce',
  '933': 'crs 933 php',
  '934': 'crs 934 generic',
  '941': 'crs 941 xss',
  '942': 'crs 942 sqli',
  '943': 'crs 943 session',
  '944': 'crs 944 java',
};

export interface FtwAttack {
  /** `rule_id-test_id`, what the split hashes. */
  readonly key: string;
  readonly family: string;
  readonly raw: string;
  readonly crs: CrsRequest;
}

/**
 * The requests of CRS's regression tests that expect an attack rule to fire, one request each
 * (the first stage that names expect_ids), as bytes for the own packs and as a CrsRequest.
 */
export function ftwAttacks(regressionDir: string): FtwAttack[] {
  const out: FtwAttack[] = [];
  for (const test of loadSuite(join(regressionDir, 'tests'))) {
    const family = FAMILIES[/^REQUEST-(\d{3})-/.exec(test.ruleFile)?.[1] ?? ''];
    if (family === undefined) continue;
    const stage = test.stages.find((s) => (s.output.log?.expect_ids ?? []).length > 0);
    if (stage === undefined) continue;
    const raw = rawRequest(stage.input).toString('latin1');
    const crs = parseRaw(raw);
    if (crs !== null) out.push({ key: `${test.ruleId}-${test.testId}`, family, raw, crs });
  }
  return out;
}

/** The request line, header fields and body of a raw request; null when it has no request line. */
function parseRaw(raw: string): CrsRequest | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end + 4);
  const [line, ...fields] = head.split('\r\n');
  const m = /^(\S+) (\S+)(?: (\S+))?$/.exec(line ?? '');
  if (m === null) return null;
  const headers = fields.flatMap((f): Array<[string, string]> => {
    const colon = f.indexOf(':');
    return colon > 0 ? [[f.slice(0, colon), f.slice(colon + 1).trim()]] : [];
  });
  return {
    method: m[1] as string,
    uri: m[2] as string,
    version: m[3] ?? 'HTTP/1.1',
    headers,
    body: body === '' ? null : body,
    remoteAddr: '198.51.100.7',
  };
}
