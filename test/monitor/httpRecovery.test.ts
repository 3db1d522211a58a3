import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgedRun, threats } from './helpers/judgedRun.js';
import { ethernet, FLAGS, ipv4, tcp } from './helpers/packets.js';
import { framesBesideTshark, framesMatchTshark, tshark } from './helpers/tsharkCompare.js';

/**
 * HTTP is framed once (src/monitor/protocols/http/framer.ts), with one recovery policy for the
 * rule engine and the packet log alike: data that starts no message is skipped to the end of
 * its delivery and the next one is read afresh (tshark's policy). Each capture here would have
 * hidden its attack from the rule engine when the engine's reader stopped where the log's
 * resynchronised; the same capture's packet log stays tshark's, line for line.
 */
const CLIENT = '192.0.2.61';
const SERVER = '192.0.2.81';
const ATTACK = 'GET /item.php?id=1%20UNION%20SELECT%20password%20FROM%20users HTTP/1.1\r\nHost: shop.example\r\n\r\n';

/**
 * A connection on `port`: the handshake, then each part in order from its side (each one
 * segment, acknowledging all the other side sent), then both FINs. Raw IP packets.
 */
function conversation(port: number, parts: ReadonlyArray<readonly ['c' | 's', string]>): number[][] {
  const seq = { c: 1000, s: 5000 };
  const packet = (from: 'c' | 's', flags: number, payload = ''): number[] => {
    const client = from === 'c';
    const ack = client ? seq.s : seq.c;
    const p = ipv4(
      { src: client ? CLIENT : SERVER, dst: client ? SERVER : CLIENT, proto: 6 },
      tcp({
        sport: client ? 40500 : port,
        dport: client ? port : 40500,
        seq: seq[from],
        ack: flags & FLAGS.SYN && client ? 0 : ack,
        flags,
        payload: Buffer.from(payload, 'latin1'),
      }),
    );
    seq[from] += payload.length + (flags & (FLAGS.SYN | FLAGS.FIN) ? 1 : 0);
    return p;
  };
  const out = [packet('c', FLAGS.SYN), packet('s', FLAGS.SYN | FLAGS.ACK), packet('c', FLAGS.ACK)];
  for (const [from, payload] of parts) out.push(packet(from, FLAGS.PSH | FLAGS.ACK, payload));
  out.push(packet('c', FLAGS.FIN | FLAGS.ACK), packet('s', FLAGS.FIN | FLAGS.ACK), packet('c', FLAGS.ACK));
  return out;
}

const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** The threats the rule engine named, and the packet log held to tshark's (but at the frames `differing`). */
function judgedAndLogged(name: string, packets: number[][], differing: readonly number[] = []): string[] {
  const frames = packets.map((p) => ethernet(0x0800, p));
  if (tshark && differing.length === 0) framesMatchTshark(name, frames);
  else if (tshark) framesBesideTshark(name, frames, differing);
  return threats(judgedRun(packets).events);
}

describe('one HTTP framer: requests after what is no HTTP are judged', () => {
  test('binary data on port 80, then a request in the next segment: the request is judged', () => {
    const packets = conversation(80, [
      ['c', '\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00'],
      ['c', ATTACK],
      ['s', ok],
    ]);
    assert.ok(judgedAndLogged('junk-then-request', packets).includes('sql-injection'));
  });

  test('a line that is no request after a first request, then an attack: judged after the junk', () => {
    const packets = conversation(80, [
      ['c', 'GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n'],
      ['s', ok],
      ['c', '\x00\x01garbage\r\n'],
      ['c', ATTACK],
      ['s', ok],
    ]);
    assert.ok(judgedAndLogged('request-junk-request', packets).includes('sql-injection'));
  });

  test('a chunked body with a size that is not hex: that request is malformed, the next one is judged', () => {
    const bad = 'POST /upload HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n';
    const packets = conversation(80, [
      ['c', bad],
      ['s', ok],
      ['c', ATTACK],
      ['s', ok],
    ]);
    assert.ok(judgedAndLogged('bad-chunk-size', packets).includes('sql-injection'));
  });

  test('a CONNECT answered 204 opens no tunnel: the request after it is judged', () => {
    const packets = conversation(80, [
      ['c', 'CONNECT shop.example:443 HTTP/1.1\r\nHost: shop.example:443\r\n\r\n'],
      ['s', 'HTTP/1.1 204 No Content\r\n\r\n'],
      ['c', ATTACK],
      ['s', ok],
    ]);
    assert.ok(judgedAndLogged('connect-204', packets).includes('sql-injection'));
  });

  test('after a CONNECT answered 200, a request line with a version is still judged; a TLS tunnel is not', () => {
    const connect = 'CONNECT shop.example:443 HTTP/1.1\r\nHost: shop.example:443\r\n\r\n';
    const established = 'HTTP/1.1 200 Connection established\r\n\r\n';
    const plain = conversation(80, [
      ['c', connect],
      ['s', established],
      ['c', ATTACK],
    ]);
    // The log reads what follows the 200 as the tunnel (TCP), where tshark's HTTP takes a
    // plain request line in it (frame 6): a difference of the tunnel's reading, older than
    // the one framer, which the rule engine does not share.
    assert.ok(judgedAndLogged('connect-200-plain', plain, [6]).includes('sql-injection'));
    // A ClientHello carrying the attack's text inside: tunnel bytes, never cut into requests.
    const tls = conversation(80, [
      ['c', connect],
      ['s', established],
      ['c', `\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03${ATTACK}`],
    ]);
    assert.ok(!judgedAndLogged('connect-200-tls', tls).includes('sql-injection'));
  });
});
