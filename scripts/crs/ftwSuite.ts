import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** go-ftw's test format (coreruleset/ftw-tests-schema), the parts CRS's regression tests use. */
export interface FtwInput {
  readonly dest_addr?: string;
  readonly port?: number;
  readonly method?: string;
  readonly uri?: string;
  readonly version?: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly data?: string;
  readonly encoded_request?: string;
  readonly autocomplete_headers?: boolean;
}

export interface FtwOutput {
  readonly status?: number | readonly number[];
  readonly expect_error?: boolean;
  readonly log?: {
    readonly expect_ids?: readonly number[];
    readonly no_expect_ids?: readonly number[];
    readonly match_regex?: string;
    readonly no_match_regex?: string;
  };
  readonly log_contains?: string;
  readonly no_log_contains?: string;
}

export interface FtwStage {
  readonly input: FtwInput;
  readonly output: FtwOutput;
}

export interface FtwCase {
  /** The rule file's folder, such as REQUEST-942-APPLICATION-ATTACK-SQLI. */
  readonly ruleFile: string;
  readonly ruleId: number;
  readonly testId: number;
  readonly stages: readonly FtwStage[];
}

/** Every test of every YAML file under `dir` (one folder per rule file, one YAML per rule). */
export function loadSuite(dir: string): FtwCase[] {
  const cases: FtwCase[] = [];
  for (const folder of readdirSync(dir, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of readdirSync(join(dir, folder.name)).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      const doc = parse(readFileSync(join(dir, folder.name, file), 'utf8')) as {
        rule_id: number;
        tests: Array<{ test_id: number; stages: Array<{ input?: FtwInput; output?: FtwOutput; stage?: FtwStage }> }>;
      };
      for (const test of doc?.tests ?? []) {
        const stages = (test.stages ?? []).map((s) => s.stage ?? { input: s.input ?? {}, output: s.output ?? {} });
        cases.push({ ruleFile: folder.name, ruleId: doc.rule_id, testId: test.test_id, stages });
      }
    }
  }
  return cases.sort((a, b) => a.ruleFile.localeCompare(b.ruleFile) || a.ruleId - b.ruleId || a.testId - b.testId);
}

/** `rule_id-test_id` of the tests every engine's overrides file in `regressionDir` changes or skips. */
export function testsOverriddenByEveryEngine(regressionDir: string): { engines: string[]; keys: Set<string> } {
  const files = readdirSync(regressionDir).filter((f) => f.endsWith('-overrides.yaml'));
  let common: Set<string> | undefined;
  for (const file of files) {
    const doc = parse(readFileSync(join(regressionDir, file), 'utf8')) as {
      test_overrides?: Array<{ rule_id: number; test_ids: number[] }>;
    };
    const keys = new Set((doc.test_overrides ?? []).flatMap((o) => o.test_ids.map((t) => `${o.rule_id}-${t}`)));
    const previous: Set<string> | undefined = common;
    common = previous === undefined ? keys : new Set([...previous].filter((k) => keys.has(k)));
  }
  return { engines: files.map((f) => f.replace('-overrides.yaml', '')), keys: common ?? new Set<string>() };
}

/** Every engine's overrides, for naming the failures another engine shares. */
export function overridesByEngine(regressionDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of readdirSync(regressionDir).filter((f) => f.endsWith('-overrides.yaml'))) {
    const doc = parse(readFileSync(join(regressionDir, file), 'utf8')) as {
      test_overrides?: Array<{ rule_id: number; test_ids: number[] }>;
    };
    for (const o of doc.test_overrides ?? [])
      for (const t of o.test_ids) {
        const key = `${o.rule_id}-${t}`;
        out.set(key, [...(out.get(key) ?? []), file.replace('-overrides.yaml', '')]);
      }
  }
  return out;
}
