import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SqliteBanStore } from '../../src/store/index.js';
import { tempDir } from '../gateway/helpers.js';
import { storeBan } from '../store/records.js';
import { bansho } from './run.js';

const TOTAL = 200_000;

describe('bansho bans list with 200 000 bans', () => {
  const tmp = tempDir();
  const db = `${tmp.dir}/many.db`;
  before(() => {
    const store = new SqliteBanStore(db);
    const now = Date.now();
    // Distinct `since` values give a stable order: ban i is the i-th oldest.
    store.putManySync(
      Array.from({ length: TOTAL }, (_, i) =>
        storeBan(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`, now - TOTAL + i),
      ),
    );
    void store.close();
  });
  after(tmp.cleanup);

  it('shows the first page by default, and says how to see the rest', async () => {
    const r = await bansho(['bans', 'list', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 101, 'the header and 100 bans');
    assert.match(lines[1] ?? '', /^10\.0\.0\.0\/32 /);
    assert.match(
      r.stderr,
      /100 of 200000 bans shown; 199900 more: --offset 100 for the next page, --all for every one/,
    );
  });

  it('pages with --offset and --limit', async () => {
    const r = await bansho(['bans', 'list', '--db', db, '--json', '--offset', '150000', '--limit', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { target: string }).target),
      ['10.2.73.240/32', '10.2.73.241/32', '10.2.73.242/32'],
    );
  });

  it('streams every ban with --all, in the table and as JSON lines', async () => {
    const table = await bansho(['bans', 'list', '--db', db, '--all'], { timeoutMs: 60_000 });
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, TOTAL + 1);
    assert.match(lines.at(-1) ?? '', /^10\.3\.13\.63\/32 /);
    assert.equal(table.stderr, '');
    const json = await bansho(['bans', 'list', '--db', db, '--limit', '0', '--json'], { timeoutMs: 60_000 });
    assert.equal(json.stdout.trimEnd().split('\n').length, TOTAL);
  });

  it('refuses a bad page with a clear message', async () => {
    const r = await bansho(['bans', 'list', '--db', db, '--limit', 'ten']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--limit ten: not a whole number/);
    writeFileSync(`${tmp.dir}/empty.db`, '');
    const empty = await bansho(['bans', 'list', '--db', `${tmp.dir}/empty.db`]);
    assert.equal(empty.stdout, 'no bans in force\n');
  });
});
