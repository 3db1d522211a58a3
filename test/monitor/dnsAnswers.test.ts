import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DnsAnswers } from '../../src/monitor/evidence/dnsAnswers.js';

const CLIENT = '10.1.0.7';
const SERVER = '10.0.0.53';

/** A DNS response: `name` (one label + com) answered with these A records. */
function response(id: number, name: string, addresses: readonly string[]): Uint8Array {
  const qname = [name.length, ...Buffer.from(name), 3, ...Buffer.from('com'), 0];
  const head = [id >> 8, id & 255, 0x81, 0x80, 0, 1, 0, addresses.length, 0, 0, 0, 0];
  const records = addresses.flatMap((a) => [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...a.split('.').map(Number)]);
  return Uint8Array.from([...head, ...qname, 0, 1, 0, 1, ...records]);
}

/** The query, port, id and time of the answer that led `client` to `address` (null when none). */
function led(answers: DnsAnswers, address: string, client = CLIENT) {
  const [r] = answers.leadingTo(client, address);
  return r === undefined
    ? null
    : { query: r.query, port: r['id.orig_p'], id: r.trans_id, ts: r.ts, answers: r.answers };
}

describe('DnsAnswers (the answers that led a client to an address; refilled in place when safe)', () => {
  test('an answer another address still points to is not overwritten by a later one', () => {
    const answers = new DnsAnswers();
    answers.datagram(response(1, 'aaaa', ['192.0.2.1', '192.0.2.2']), CLIENT, 40001, SERVER, 53, 1000);
    // Takes over 192.0.2.1 only: 192.0.2.2 must still tell of aaaa.com.
    answers.datagram(response(2, 'bbbb', ['192.0.2.1']), CLIENT, 40002, SERVER, 53, 2000);
    assert.deepEqual(led(answers, '192.0.2.2'), {
      query: 'aaaa.com',
      port: 40001,
      id: 1,
      ts: 1,
      answers: ['192.0.2.1', '192.0.2.2'],
    });
    assert.deepEqual(led(answers, '192.0.2.1'), {
      query: 'bbbb.com',
      port: 40002,
      id: 2,
      ts: 2,
      answers: ['192.0.2.1'],
    });
  });

  test('an address given twice in one response counts once against the answer it takes over', () => {
    const answers = new DnsAnswers();
    answers.datagram(response(1, 'aaaa', ['192.0.2.1', '192.0.2.2']), CLIENT, 40001, SERVER, 53, 1000);
    answers.datagram(response(2, 'bbbb', ['192.0.2.1', '192.0.2.1']), CLIENT, 40002, SERVER, 53, 2000);
    assert.equal(led(answers, '192.0.2.2')?.query, 'aaaa.com');
    assert.equal(led(answers, '192.0.2.1')?.query, 'bbbb.com');
  });

  test('the same question answered again replaces the answer; records read before keep their values', () => {
    const answers = new DnsAnswers();
    answers.datagram(response(1, 'aaaa', ['192.0.2.1', '192.0.2.2']), CLIENT, 40001, SERVER, 53, 1000);
    const before = answers.leadingTo(CLIENT, '192.0.2.2');
    const kept = JSON.stringify(before);
    answers.datagram(response(7, 'aaaa', ['192.0.2.2', '192.0.2.1']), CLIENT, 40009, SERVER, 53, 5000);
    answers.datagram(response(8, 'cccc', ['198.51.100.1']), CLIENT, 40010, SERVER, 53, 6000);
    assert.equal(JSON.stringify(before), kept);
    for (const address of ['192.0.2.1', '192.0.2.2'])
      assert.deepEqual(led(answers, address), {
        query: 'aaaa.com',
        port: 40009,
        id: 7,
        ts: 5,
        answers: ['192.0.2.2', '192.0.2.1'],
      });
    assert.equal(led(answers, '198.51.100.1')?.query, 'cccc.com');
    // Another client's answers are its own.
    assert.equal(led(answers, '192.0.2.1', '10.1.0.8'), null);
  });

  test('a response of another length replaces the kept message whole', () => {
    const answers = new DnsAnswers();
    answers.datagram(response(1, 'aaaa', ['192.0.2.1']), CLIENT, 40001, SERVER, 53, 1000);
    answers.datagram(response(2, 'longername', ['192.0.2.1']), CLIENT, 40002, SERVER, 53, 2000);
    assert.equal(led(answers, '192.0.2.1')?.query, 'longername.com');
    answers.datagram(response(3, 'aaaa', ['192.0.2.1']), CLIENT, 40003, SERVER, 53, 3000);
    assert.equal(led(answers, '192.0.2.1')?.query, 'aaaa.com');
  });
});
