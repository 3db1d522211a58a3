import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { engineOfValidated, type LoadedRule } from '../../src/catalog/loadedRules.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { loadThreatDir } from '../../src/catalog/loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from '../../src/catalog/paths.js';
import { prebuiltEngine, writePrebuilt } from '../../src/catalog/prebuilt.js';
import { type ScannerIndex, scannerLookup } from '../../src/catalog/prebuiltScanners.js';
import { httpObservation } from '../../src/detect/examples.js';
import { LiteralSet } from '../../src/detect/literalSet.js';
import {
  recordScanners,
  type Tables,
  type TypedArray,
  tableLayout,
  tableOfLayout,
  useStoredScanners,
} from '../../src/detect/storedScanners.js';
import type { Match } from '../../src/detect/types.js';

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
afterEach(() => useStoredScanners(null));

/** The copies as `npm run build` writes them, into a directory of the test's own. */
function built(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-prebuilt-scanners-'));
  made.push(dir);
  writePrebuilt(dir, loadRuleDir(BUILTIN_RULES_DIR).rules, loadThreatDir(BUILTIN_THREATS_DIR).all());
  return dir;
}

function indexIn(dir: string): ScannerIndex {
  return JSON.parse(readFileSync(join(dir, 'scanners.json'), 'utf8')).data;
}

/** A look-up of `dir`'s tables that counts the tables it serves. */
function counted(dir: string): { find: (key: string) => Tables | undefined; served: () => number } {
  const lookup = scannerLookup(dir, indexIn(dir));
  assert.ok(lookup);
  let served = 0;
  return {
    find: (key) => {
      const t = lookup(key);
      if (t !== undefined) served++;
      return t;
    },
    served: () => served,
  };
}

const lists = { site_names: ['localhost'] };
const ids = (m: readonly Match[]) => m.map((x) => x.ruleId);

describe("the build's literal tables", () => {
  it('are the tables each set computes for itself', () => {
    const dir = built();
    const index = indexIn(dir);
    assert.ok(index.tables.length >= 10, 'the examples build many sets');
    const { find } = counted(dir);
    for (const [key] of index.tables) {
      const [literals, caseless, stopAt, stopAboveAscii, stopAtSubstrings] = JSON.parse(key);
      const computed = recordScanners(() =>
        new LiteralSet(literals, { caseless, stopAt, stopAboveAscii, stopAtSubstrings }).clearOf('x'),
      );
      assert.deepStrictEqual(find(key), computed.get(key), key.slice(0, 80));
    }
  });

  it('serve the copy’s engine, which judges as computed tables do', () => {
    const dir = built();
    const requests = [
      'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*',
      'GET /static/..%2f.env HTTP/1.1\r\nHost: www.example.com',
      'GET /index.php?id=1%20UNION%20SELECT%20password%20FROM%20users HTTP/1.1\r\nHost: www.example.com',
      'GET /search?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: www.example.com\r\nReferer: http://x/',
      'CONNECT maila.microsoft.com:25 / HTTP/1.0',
    ];
    const judge = (engine: NonNullable<ReturnType<typeof prebuiltEngine>>) =>
      requests.map((r) => {
        const o = httpObservation(r);
        return [engine.mayMatch(o), ids(engine.match(o))];
      });
    const computed = judge(engineOfValidated(loadRuleDir(BUILTIN_RULES_DIR).rules, lists));
    const fromCopy = prebuiltEngine(lists, dir);
    assert.ok(fromCopy);
    const { find, served } = counted(dir);
    useStoredScanners(find);
    assert.deepEqual(judge(fromCopy), computed);
    assert.ok(served() >= 3, `tables were served (${served()})`);
  });

  it('are not used for an edited rule: its sets compute their own', () => {
    const dir = built();
    const rules = loadRuleDir(BUILTIN_RULES_DIR).rules;
    const edited = rules.map((r): LoadedRule => {
      if (r.spec.id !== 'env-file-probe') return r;
      const [first, ...rest] = r.spec.when;
      assert.ok(first?.op === 'regex' && first.prefilter?.includes('/.npmrc'));
      const when = [
        {
          ...first,
          pattern: first.pattern.replace('/\\.npmrc$', '/\\.zqrc$'),
          prefilter: (first.prefilter ?? []).map((l) => (l === '/.npmrc' ? '/.zqrc' : l)),
        },
        ...rest,
      ];
      return { ...r, spec: { ...r.spec, when } };
    });
    const { find, served } = counted(dir);
    useStoredScanners(find);
    const judge = (rules: readonly LoadedRule[], request: string) => {
      const engine = engineOfValidated(rules, lists);
      const o = httpObservation(`${request}\r\nHost: www.example.com`);
      return engine.mayMatch(o) ? ids(engine.match(o)) : [];
    };
    assert.deepEqual(judge(rules, 'GET /.npmrc HTTP/1.1'), ['env-file-probe'], 'the built-in rule, from stored tables');
    const before = served();
    assert.ok(before > 0, 'the built-in rules were served tables');
    assert.deepEqual(judge(edited, 'GET /.zqrc HTTP/1.1'), ['env-file-probe'], 'the edited literal is found');
    assert.deepEqual(judge(edited, 'GET /.npmrc HTTP/1.1'), [], 'the removed literal is not');
  });

  it('are read only from the bytes their own build wrote', () => {
    const dir = built();
    const index = indexIn(dir);
    const bytes = join(dir, 'scanners.bin');
    const lookup = scannerLookup(dir, index);
    const [key] = index.tables[0] ?? [''];
    assert.ok(lookup?.(key), 'served as written');
    const other = readFileSync(bytes);
    other[0] = (other[0] as number) ^ 0xff;
    writeFileSync(bytes, other);
    assert.equal(lookup?.(key), undefined, 'another build’s bytes');
    rmSync(bytes);
    assert.equal(lookup?.(key), undefined, 'no bytes');
    assert.equal(scannerLookup(dir, { ...index, endianness: index.endianness === 'LE' ? 'BE' : 'LE' }), null);
  });

  it('store plain data with typed arrays, and refuse what would come back as something else', () => {
    const arrays: TypedArray[] = [];
    const put = (a: TypedArray) => arrays.push(a) - 1;
    const table = {
      t: new Int32Array([-1, 2, 3]),
      c: new Uint8Array([7]),
      o: [[1, 2], undefined, [3]],
      n: 4,
      s: true,
      none: null,
      strings: ['GET', 'x'],
    };
    const layout = JSON.parse(JSON.stringify(tableLayout(table, put)));
    const back = tableOfLayout(layout, (make, at) => {
      const source = arrays[at as number] as TypedArray;
      const out = make(source.length);
      out.set(source);
      return out;
    });
    assert.deepStrictEqual(back, table);
    for (const odd of [{ m: new Map([[1, 2]]) }, { s: new Set([1]) }, { f: () => 1 }, { d: new Float32Array(1) }])
      assert.throws(() => tableLayout(odd, put), TypeError);
  });

  it('store lists of integer lists (a set’s outputs) as typed arrays, and other lists as they are', () => {
    const arrays: TypedArray[] = [];
    const put = (a: TypedArray) => arrays.push(a) - 1;
    const roundTrip = (table: object) =>
      tableOfLayout(JSON.parse(JSON.stringify(tableLayout(table, put))), (make, at) => {
        const out = make((arrays[at as number] as TypedArray).length);
        out.set(arrays[at as number] as TypedArray);
        return out;
      });
    const outputs = [...new Array(500).fill(undefined), [7], [], [-3, 2 ** 31 - 1, 0], undefined];
    const layout = JSON.stringify(tableLayout({ outputs }, put));
    assert.ok(layout.length < 200, `one entry per state in the layout: ${layout.length} characters`);
    assert.deepStrictEqual(roundTrip({ outputs }), { outputs });
    for (const odd of [[[1.5]], [[2 ** 31]], [['a']], [[undefined]], [[null]], [[[1]]], [undefined, 3], []])
      assert.deepStrictEqual(roundTrip({ odd }), { odd });
  });
});
