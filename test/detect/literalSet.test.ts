import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LiteralSet } from '../../src/detect/literalSet.js';

describe('LiteralSet (Aho–Corasick)', () => {
  it('finds every literal, including overlapping ones', () => {
    const set = new LiteralSet(['he', 'she', 'his', 'hers']);
    const seen = new Set<string>();
    set.scan('ushers', (i) => seen.add(set.literals[i] as string));
    assert.deepEqual([...seen].sort(), ['he', 'hers', 'she']);
  });

  it('agrees with a naive includes() loop on random input', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '/', '.');
    const word = fc.string({ unit: alphabet, minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 8 }),
        fc.string({ unit: alphabet, maxLength: 40 }),
        (lits, text) => {
          const set = new LiteralSet(lits);
          const expected = new Set(lits.filter((l) => text.includes(l)));
          const found = new Set<string>();
          set.scan(text, (i) => found.add(set.literals[i] as string));
          assert.deepEqual([...found].sort(), [...expected].sort());
          assert.equal(set.findIn(text) !== undefined, expected.size > 0);
          assert.equal(
            set.startsWithAny(text),
            lits.some((l) => text.startsWith(l)),
          );
          assert.equal(
            set.endsWithAny(text),
            lits.some((l) => text.endsWith(l)),
          );
          assert.equal(set.equalsAny(text), lits.includes(text));
        },
      ),
    );
  });

  it('folds ASCII case when caseless', () => {
    const set = new LiteralSet(['SELECT', 'union'], { caseless: true });
    assert.equal(set.findIn('x UnIoN y'), 'union');
    assert.equal(set.startsWithAny('Select 1'), true);
    assert.equal(new LiteralSet(['abc']).findIn('ABC'), undefined);
  });

  it('treats characters above U+00FF as matching no literal', () => {
    const set = new LiteralSet(['a/b']);
    assert.equal(set.findIn('a\u2215b'), undefined);
    assert.equal(set.findIn('\u2215a/b'), 'a/b');
  });

  it('refuses empty and non-latin1 literals', () => {
    assert.throws(() => new LiteralSet(['']), RangeError);
    assert.throws(() => new LiteralSet(['\u2215']), RangeError);
  });

  it('markOwners stamps the owners of the literals scan finds, each once', () => {
    const alphabet = fc.constantFrom('a', 'B', 'c', '%', '/', '\u00e9', '\u2215');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c', '/'), minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.string({ unit: alphabet, maxLength: 30 }),
        (lits, text) => {
          const set = new LiteralSet(lits, { caseless: true });
          const owners = set.literals.map((_, i) => [i, 100 + i]);
          const expected = new Set<number>();
          set.scan(text, (i) => {
            expected.add(i);
            expected.add(100 + i);
          });
          const marks = new Uint32Array(200);
          const stamped: number[] = [];
          assert.equal(set.markOwners(text, owners, marks, 7, stamped), true);
          assert.deepEqual([...stamped].sort(), [...expected].sort());
          assert.equal(new Set(stamped).size, stamped.length);
        },
      ),
    );
  });

  it('markOwners over part of a text finds exactly the literals inside it, when they start with few characters', () => {
    // Few first characters: the scan starts at the first of them (native searches), and must
    // still find a literal starting there, near either end, or repeated; nothing outside the part.
    const unit = fc.constantFrom('a', 'A', 'b', 'x', '/', ':', ' ');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'x', '/'), minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom('a', ':', '/'),
        fc.string({ unit, maxLength: 30 }),
        fc.nat(30),
        fc.nat(30),
        (tails, first, text, i, j) => {
          const lits = tails.map((t) => `${first}${t}`);
          const set = new LiteralSet(lits, { caseless: true });
          const [from, to] = [Math.min(i, j, text.length), Math.min(Math.max(i, j), text.length)];
          const part = text.slice(from, to).toLowerCase();
          const expected = set.literals.flatMap((l, k) => (part.includes(l) ? [k] : []));
          const stamped: number[] = [];
          const owners = set.literals.map((_, k) => [k]);
          assert.equal(set.markOwners(text, owners, new Uint32Array(8), 1, stamped, from, to), true);
          assert.deepEqual([...stamped].sort(), expected, `${JSON.stringify(lits)} in ${JSON.stringify(part)}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('markOwners gives up at a stop character, and only there', () => {
    const set = new LiteralSet(['select'], { caseless: true, stopAt: '%+', stopAboveAscii: true });
    const owners = [[0]];
    const run = (text: string) => {
      const stamped: number[] = [];
      return { complete: set.markOwners(text, owners, new Uint32Array(1), 1, stamped), stamped };
    };
    assert.deepEqual(run('x SeLeCt y'), { complete: true, stamped: [0] });
    assert.deepEqual(run('plain text'), { complete: true, stamped: [] });
    assert.equal(run('sel%65ct').complete, false);
    assert.equal(run('a+b').complete, false);
    assert.equal(run('caf\u00e9').complete, false);
    assert.equal(run('\u2215').complete, false);
    // Short texts are not skipped when a stop character could hide a literal.
    assert.equal(run('%').complete, false);
  });

  it('markOwners gives up where a stop substring occurs, even inside or across literals', () => {
    const set = new LiteralSet(['/.env', 'a//b'], { caseless: true, stopAtSubstrings: ['/.', '//'] });
    const run = (text: string) => set.markOwners(text, [[0], [1]], new Uint32Array(2), 1, []);
    assert.equal(run('/x/y.env'), true);
    assert.equal(run('/a/./b'), false);
    assert.equal(run('/.env'), false);
    assert.equal(run('xa//b'), false);
    assert.equal(run('/'), true);
    assert.equal(run('//'), false);
    assert.equal(set.findIn('/.env'), '/.env', 'the other methods never report a stop substring');
    assert.equal(set.findIn('//'), undefined);
  });
});
