import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadCatalog } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import {
  BEHAVIOUR_THREATS,
  type BehaviourSettings,
  HttpBehaviour,
  isBehaviourCandidate,
  type RequestSignal,
} from '../../src/detect/behaviour/httpBehaviour.js';
import { LeakyBuckets } from '../../src/detect/behaviour/leakyBucket.js';
import { ROOT } from '../cli/run.js';

const BUILT_IN = builtInBehaviours();

describe('LeakyBuckets', () => {
  const spec = { capacity: 2, leakMs: 1000, cooldownMs: 60_000, distinct: false };

  it('overflows on the item beyond capacity, handing back every item, then rests for the cooldown', () => {
    const b = new LeakyBuckets<number>(spec);
    assert.equal(b.pour('a', 0, 1), null);
    assert.equal(b.pour('a', 400, 2), null);
    assert.deepEqual(b.pour('a', 800, 3), { count: 3, first: 0, items: [1, 2, 3] });
    for (let t = 900; t < 60_800; t += 100) assert.equal(b.pour('a', t, 0), null, `resting at ${t}`);
    // Rested: a fresh bucket, which again needs three items inside the leak rate.
    assert.equal(b.pour('a', 60_800, 4), null);
    assert.equal(b.pour('a', 60_800, 5), null);
    assert.deepEqual(b.pour('a', 60_801, 6)?.items, [4, 5, 6]);
  });

  it('drains one item per leak period, partial periods carried over', () => {
    const b = new LeakyBuckets<number>(spec);
    // One item per period keeps the level at 1 for ever.
    for (let i = 0; i < 100; i++) assert.equal(b.pour('a', i * 1000, i), null);
    const c = new LeakyBuckets<number>(spec);
    // Every 600 ms: level 1, then 2; at 1200 one item has leaked (2 again); at 1800 the next
    // leak is not due until 2000, so the level is 3, beyond capacity.
    assert.equal(c.pour('a', 0, 0), null);
    assert.equal(c.pour('a', 600, 1), null);
    assert.equal(c.pour('a', 1200, 2), null);
    assert.deepEqual(c.pour('a', 1800, 3), { count: 3, first: 600, items: [1, 2, 3] }, 'the oldest item leaked first');
  });

  it('evicts the least recently poured key first, however often the others were poured', () => {
    // Distinct values: a key poured thousands of times keeps one item per value, no overflow.
    const b = new LeakyBuckets<string>(
      { capacity: 10_000, leakMs: 1e9, cooldownMs: 0, distinct: true },
      { maxKeys: 3 },
    );
    b.pour('a', 0, 'a0', 'a0');
    b.pour('b', 0, 'b0', 'b0');
    b.pour('c', 0, 'c0', 'c0');
    for (let i = 1; i < 3000; i++) b.pour(i % 2 ? 'a' : 'c', 0, 'x', `${i}`);
    b.pour('d', 0, 'd0', 'd0');
    assert.equal(b.size, 3);
    assert.equal(b.items, 1501 + 1500 + 1, "b's one item went with it; a's 1501 and c's 1500 stay");
    b.pour('e', 0, 'e0', 'e0');
    assert.equal(b.items, 1501 + 1 + 1, 'then c, poured last before a was');
    b.pour('f', 0, 'f0', 'f0');
    assert.equal(b.items, 3, 'then a: d, e and f are left, one item each');
  });

  it('counts an item only once per distinct value in the bucket', () => {
    const b = new LeakyBuckets<string>({ ...spec, distinct: true });
    for (let i = 0; i < 20; i++) assert.equal(b.pour('a', i, 'same', '/same'), null);
    assert.equal(b.pour('a', 30, 'x', '/x'), null);
    assert.deepEqual(b.pour('a', 31, 'y', '/y')?.items, ['same', 'x', 'y']);
  });

  it('keeps its buckets apart and bounded, in keys and in items', () => {
    const b = new LeakyBuckets<number>(spec, { maxKeys: 100 });
    for (let i = 0; i < 1000; i++) b.pour(`k${i}`, 0, i);
    assert.equal(b.size, 100);
    assert.equal(b.pour('k999', 0, 1), null, "one key's items do not fill another's bucket");
    const c = new LeakyBuckets<number>(spec, { maxItems: 50 });
    for (let i = 0; i < 1000; i++) c.pour(`k${i % 400}`, 0, i);
    assert.ok(c.items <= 50, `${c.items} items held`);
    assert.deepEqual(c.pour('busy', 0, 1), null);
    assert.deepEqual(c.pour('busy', 0, 2), null);
    assert.deepEqual(c.pour('busy', 0, 3)?.items, [1, 2, 3], 'the bucket in use is never the one evicted');
    const d = new LeakyBuckets<number>(spec);
    d.pour('a', 0, 1);
    d.pour('a', 400, 2);
    d.pour('b', 400, 3);
    assert.equal(d.items, 3);
    d.pour('a', 5000, 4);
    assert.equal(d.items, 2, "a's two items drained, one poured; b's one kept");
    d.pour('b', 400, 5);
    d.pour('b', 400, 6);
    assert.equal(d.items, 1, "b's overflow emptied it");
  });

  it('holds only the latest `keep` items, and still counts them all', () => {
    const b = new LeakyBuckets<number>({ ...spec, capacity: 5, keep: 2 });
    for (let i = 1; i <= 5; i++) assert.equal(b.pour('a', i, i), null);
    assert.deepEqual(b.pour('a', 6, 6), { count: 6, first: 1, items: [5, 6] });
    const none = new LeakyBuckets<number>({ ...spec, keep: 0 });
    none.pour('a', 0, 1);
    none.pour('a', 1, 2);
    assert.deepEqual(none.pour('a', 2, 3), { count: 3, first: 0, items: [] });
  });

  it('refuses a bucket that could never hold or drain', () => {
    assert.throws(() => new LeakyBuckets({ ...spec, capacity: 0 }), RangeError);
    assert.throws(() => new LeakyBuckets({ ...spec, leakMs: 0 }), RangeError);
  });
});

describe('HttpBehaviour', () => {
  /** A request for `target` (path and query). */
  const at = (time: number, target: string, status = 404, method = 'GET', source = '198.51.100.9'): RequestSignal => {
    const [path = '', query = ''] = target.split('?');
    return { time, source, method, path, query, status };
  };
  const run = (signals: RequestSignal[]) => {
    const h = new HttpBehaviour(BUILT_IN);
    return signals.flatMap((s) => h.request(s));
  };

  it('names a source that asks for more than 10 distinct missing paths in quick succession', () => {
    const probes = Array.from({ length: 11 }, (_, i) => at(1000 + i * 300, `/admin${i}.php`));
    const alerts = run(probes);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.threatId, 'web-path-probing');
    assert.equal(a.ruleId, 'behaviour-path-probing');
    assert.equal(a.source, '198.51.100.9');
    assert.equal(a.time, probes[10]!.time);
    assert.equal(a.count, 11);
    assert.equal(a.last, probes[10]);
    assert.equal(a.target, '198.51.100.9/32');
    assert.deepEqual(
      a.samples,
      ['/admin6.php', '/admin7.php', '/admin8.php', '/admin9.php', '/admin10.php'].map((p) => `GET ${p} 404`),
    );
    assert.match(a.evidence, /^11 requests for distinct missing or forbidden paths within 3 s$/);
    assert.equal(run(probes.slice(0, 10)).length, 0, 'ten are not enough');
  });

  it('counts an IPv6 source by its /64: rotating addresses inside it earns no fresh counters', () => {
    const rotating = Array.from({ length: 11 }, (_, i) =>
      at(1000 + i * 300, `/admin${i}.php`, 404, 'GET', `2001:db8:4:5::${(i + 1).toString(16)}`),
    );
    const [alert, ...more] = run(rotating);
    assert.equal(more.length, 0);
    assert.equal(alert?.target, '2001:db8:4:5::/64');
    assert.equal(alert?.source, '2001:db8:4:5::b', 'the address of the request that completed it');
    const apart = rotating.map((s, i) => ({ ...s, source: `2001:db8:4:${i.toString(16)}::1` }));
    assert.equal(run(apart).length, 0, 'eleven /64s, one request each');
  });

  it('keeps a few evidence samples, each cut to 256 characters', () => {
    const long = Array.from({ length: 11 }, (_, i) => at(i, `/${String(i).padStart(3, '0')}${'a'.repeat(10_000)}`));
    const [alert] = run(long);
    assert.equal(alert?.samples.length, 5);
    assert.ok(alert?.samples.every((sample) => sample.length === 256));
    assert.equal(alert?.last, long[10], 'the request that completed it, as given');
  });

  it('holds no request lines: memory stays small however long the lines (measured in a process of its own)', () => {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/detect/behaviourMemory.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const { held } = JSON.parse(child.stdout) as { held: number };
    // 40 000 lines of 4 000 characters went through; holding them (or slices of them) is 80 MB or more.
    assert.ok(held < 30e6, `${(held / 1e6).toFixed(1)} MB held`);
  });

  it("takes a site's limits: a larger capacity, a faster leak, a behaviour switched off", () => {
    const probes = Array.from({ length: 21 }, (_, i) => at(1000 + i * 300, `/admin${i}.php`));
    const tuned = (settings: Partial<BehaviourSettings>, signals: RequestSignal[]) => {
      const h = new HttpBehaviour({ ...BUILT_IN, ...settings });
      return signals.flatMap((s) => h.request(s));
    };
    const twenty = {
      'path-probing': { capacity: 20, leakMs: 10_000, cooldownMs: 0, severity: 'medium' as const, score: 10 },
    };
    assert.equal(tuned(twenty, probes.slice(0, 20)).length, 0, 'twenty are within the limit');
    const [alert] = tuned(twenty, probes);
    assert.equal(alert?.count, 21, 'the twenty-first overflows');
    // One request leaks out every 250 ms: a probe every 300 ms never fills the bucket.
    const leaky = {
      'path-probing': { capacity: 10, leakMs: 250, cooldownMs: 0, severity: 'medium' as const, score: 10 },
    };
    assert.equal(tuned(leaky, probes).length, 0);
    const guesses = Array.from({ length: 20 }, (_, i) => at(i * 100, '/admin/', 401));
    assert.equal(tuned({ 'auth-failures': null }, guesses).length, 0, 'switched off');
    assert.equal(tuned({}, guesses).length, 1, 'on by default');
  });

  it('does not count static files, repeats of one path, other sources, or a slow walker', () => {
    assert.equal(run(Array.from({ length: 30 }, (_, i) => at(i, `/img/missing${i}.png`))).length, 0, 'static');
    assert.equal(run(Array.from({ length: 30 }, (_, i) => at(i, '/favicon-old'))).length, 0, 'one path');
    const twoSources = Array.from({ length: 20 }, (_, i) =>
      at(i, `/p${i}`, 404, 'GET', i % 2 === 0 ? '192.0.2.1' : '192.0.2.2'),
    );
    assert.equal(run(twoSources).length, 0, 'ten each');
    assert.equal(run(Array.from({ length: 100 }, (_, i) => at(i * 10_000, `/p${i}`))).length, 0, 'one per 10 s');
    assert.equal(run(Array.from({ length: 30 }, (_, i) => at(i, `/p${i}`, 200))).length, 0, 'found pages');
  });

  it('names repeated 401s, and repeated POSTs to wp-login.php and xmlrpc.php, after five', () => {
    const burst = (n: number, make: (i: number) => RequestSignal) => run(Array.from({ length: n }, (_, i) => make(i)));
    assert.equal(burst(5, (i) => at(i * 100, '/admin/', 401)).length, 0);
    assert.deepEqual(
      burst(6, (i) => at(i * 100, '/admin/', 401)).map((a) => a.threatId),
      ['http-auth-brute-force'],
    );
    assert.deepEqual(
      burst(6, (i) => at(i * 100, '/blog/wp-login.php', 200, 'POST')).map((a) => a.threatId),
      ['wordpress-login-bruteforce'],
    );
    assert.deepEqual(
      burst(6, (i) => at(i * 100, '/XMLRPC.php', 200, 'POST')).map((a) => a.threatId),
      ['wordpress-xmlrpc-abuse'],
    );
    assert.equal(burst(20, (i) => at(i * 100, '/wp-login.php', 200, 'GET')).length, 0, 'reading the form');
    assert.deepEqual(
      burst(6, (i) => at(i * 100, '/ghost/api/admin/session/', 404, 'POST')).map((a) => a.ruleId),
      ['behaviour-login-form'],
    );
    assert.equal(burst(5, (i) => at(i * 100, '/user/login', 200, 'POST')).length, 0, 'five tries are a person');
    assert.equal(burst(20, (i) => at(i * 100, '/blogin', 200, 'POST')).length, 0, 'not a login form');
  });

  it('names a walk through WordPress author numbers, and a scan for missing plugins, sooner than a path scan', () => {
    const authors = (ns: number[]) => run(ns.map((n, i) => at(i * 100, `/?author=${n}`, n % 2 ? 200 : 404)));
    assert.deepEqual(
      authors([2, 23, 24, 14, 3, 12]).map((a) => a.threatId),
      ['wordpress-user-enumeration'],
    );
    assert.equal(authors([1, 1, 1, 1, 1, 1, 1]).length, 0, 'one author page reloaded');
    assert.equal(authors([1, 2, 3, 4, 5]).length, 0, 'five are not enough');
    const plugins = (paths: string[]) => run(paths.map((p, i) => at(i * 100, p)));
    assert.deepEqual(
      plugins([
        '/wp-content/plugins/sniplets/view/sniplets/warning.php',
        '/wp-content/plugins/blocksy-companion/README.txt',
        '/wp-content/plugins/blocksy-companion/README.md',
        '/wp-content/plugins/another-plugin/README.md',
      ]).map((a) => a.ruleId),
      ['behaviour-wordpress-extension-probing'],
    );
    assert.equal(plugins(['/wp-content/plugins/a/x.php', '/wp-content/plugins/b/x.php', '/about/']).length, 0);
  });

  it('reports one finding per burst, then rests five minutes', () => {
    const probes = Array.from({ length: 200 }, (_, i) => at(i * 100, `/p${i}`));
    const alerts = run(probes);
    assert.equal(alerts.length, 1, 'a 20-second burst is one finding');
    const later = run([...probes, ...Array.from({ length: 11 }, (_, i) => at(400_000 + i, `/q${i}`))]);
    assert.equal(later.length, 2, 'a new burst after the rest is a new finding');
  });

  it('has a cheap candidate test that lets every counted request through', () => {
    assert.ok(isBehaviourCandidate('GET', '/x', '', 404));
    assert.ok(isBehaviourCandidate('GET', '/x', '', 401));
    assert.ok(isBehaviourCandidate('POST', '/WP-LOGIN.PHP', '', 200));
    assert.ok(!isBehaviourCandidate('GET', '/wp-login.php', '', 200));
    assert.ok(!isBehaviourCandidate('GET', '/x', '', 200));
    assert.ok(!isBehaviourCandidate('GET', '/x', '', null));
    assert.ok(isBehaviourCandidate('GET', '/', 'author=3', 200));
    assert.ok(isBehaviourCandidate('POST', '/Login/', '', 200));
  });

  it('names only threats the catalog has', () => {
    const catalog = loadCatalog();
    for (const id of BEHAVIOUR_THREATS) assert.ok(catalog.get(id), id);
  });
});
