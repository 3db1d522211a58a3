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
});
