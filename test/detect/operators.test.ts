import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileCidr } from '../../src/detect/operators/cidr.js';
import { compileContains } from '../../src/detect/operators/contains.js';
import { compileCount } from '../../src/detect/operators/count.js';
import { compileEquals } from '../../src/detect/operators/equals.js';
import { compileInList } from '../../src/detect/operators/inList.js';
import { compileLength } from '../../src/detect/operators/length.js';
import { compileNumber } from '../../src/detect/operators/number.js';
import { compilePrefix } from '../../src/detect/operators/prefix.js';
import { compilePresent } from '../../src/detect/operators/present.js';
import { compileRegexOperator } from '../../src/detect/operators/regex.js';
import { compileSuffix } from '../../src/detect/operators/suffix.js';
import { RegexError } from '../../src/detect/regex.js';

describe('operators return the value that satisfied them', () => {
  it('equals / contains / prefix / suffix', () => {
    assert.equal(compileEquals(['GET', 'HEAD'])(['POST', 'HEAD']), 'HEAD');
    assert.equal(compileEquals(['GET'])(['get']), undefined);
    assert.equal(compileContains(['/.git/', '.env'])(['/a', '/x/.git/config']), '/x/.git/config');
    assert.equal(compilePrefix(['/wp-', '/admin'])(['/wp-login.php']), '/wp-login.php');
    assert.equal(compilePrefix(['/wp-'])(['/x/wp-login.php']), undefined);
    assert.equal(compileSuffix(['.php', '.asp'])(['/index.asp']), '/index.asp');
    assert.equal(compileSuffix(['.php'])(['/index.php.txt']), undefined);
  });

  it('contains / prefix / suffix of validated literals answer the same, their set made at the first test', () => {
    const literals = ['/.git/', '.env', '/wp-'];
    const values = [['/a'], ['/x/.git/config'], ['/wp-login.php'], ['/site.env'], []];
    for (const compile of [compileContains, compilePrefix, compileSuffix])
      for (const v of values) assert.equal(compile(literals, true)(v), compile(literals)(v), `${compile.name} ${v}`);
    // A literal no set can hold fails where the rule is compiled, unless the rule was compiled before.
    for (const compile of [compileContains, compilePrefix, compileSuffix]) {
      assert.throws(() => compile(['\u2028x']), RangeError);
      const later = compile(['\u2028x'], true);
      assert.throws(() => later(['a']), RangeError);
    }
  });

  it('regex uses RE2 syntax and refuses backreferences and lookaround', () => {
    assert.equal(compileRegexOperator('^a+b$', false)(['x', 'aaab']), 'aaab');
    assert.equal(compileRegexOperator('ABC', true)(['xabcx']), 'xabcx');
    assert.throws(() => compileRegexOperator('(a)\\1', false), RegexError);
    assert.throws(() => compileRegexOperator('(?=a)', false), RegexError);
  });

  it('cidr matches IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const test = compileCidr(['192.0.2.0/24', '2001:db8::/32', '198.51.100.7']);
    assert.equal(test(['192.0.2.200']), '192.0.2.200');
    assert.equal(test(['192.0.3.1']), undefined);
    assert.equal(test(['2001:db8:1::5']), '2001:db8:1::5');
    assert.equal(test(['::ffff:192.0.2.9']), '::ffff:192.0.2.9');
    assert.equal(test(['198.51.100.7']), '198.51.100.7');
    assert.equal(test(['not-an-ip']), undefined);
    assert.throws(() => compileCidr(['300.1.1.1/8']));
    assert.throws(() => compileCidr(['10.0.0.0/33']));
  });

  it('cidr of validated networks (compiled before) answers the same, its IPv6 side built at the first IPv6 address', () => {
    const networks = ['192.0.2.0/24', '2001:db8::/32', '198.51.100.7', '::/128', 'ff00::/8'];
    const checked = compileCidr(networks);
    const lazy = compileCidr(networks, true);
    for (const ip of [
      '192.0.2.200',
      '192.0.3.1',
      '198.51.100.7',
      '2001:db8:1::5',
      '2001:db9::1',
      'ff02::1',
      '::',
      '::1',
    ])
      assert.equal(lazy([ip]), checked([ip]), ip);
    assert.equal(lazy(['ff02::1']), 'ff02::1');
    assert.equal(lazy(['::1']), undefined);
  });

  it('cidr agrees with node:net BlockList on IPv4', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, network, bits) => {
        const list = new BlockList();
        list.addSubnet(network, bits, 'ipv4');
        assert.equal(compileCidr([`${network}/${bits}`])([address]) !== undefined, list.check(address, 'ipv4'));
      }),
    );
  });

  it('in-list compares lower-cased; an empty list holds nothing', () => {
    assert.equal(compileInList(['Example.COM'])(['example.com']), 'example.com');
    assert.equal(compileInList([])(['example.com']), undefined);
  });

  it('number, length and count compare against bounds', () => {
    assert.equal(compileNumber({ min: 6660, max: 6669 }, undefined)(['6667']), '6667');
    assert.equal(compileNumber({}, [25, 465, 587])(['443', '587']), '587');
    assert.equal(compileNumber({ min: 1 }, undefined)(['', 'x']), undefined);
    assert.equal(compileLength({ min: 3, max: 4 })(['ab', 'abcd']), 'abcd');
    assert.equal(compileCount({ max: 0 })([]), '0');
    assert.equal(compileCount({ min: 50 })(['a']), undefined);
    assert.equal(compilePresent()([]), undefined);
    assert.equal(compilePresent()(['why']), 'why');
  });
});
