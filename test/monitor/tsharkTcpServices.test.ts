import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ethernet, FLAGS, ipv4, OPT, tcp } from './helpers/packets.js';
import { tcpConversation } from './helpers/tcpConversation.js';
import { framesMatchTshark, tshark } from './helpers/tsharkCompare.js';

/** TCP services beside HTTP, on hand-built captures compared line by line with tshark's: TLS found by heuristic, SSH, WebSocket, a full window. */
describe('TCP services named as tshark names them', { skip: tshark ? false : 'tshark not installed' }, () => {
  test('TLS on a port no dissector claims is found as tshark finds it, segment by segment', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const hello = Buffer.from(`160301002f0100002b0303${'11'.repeat(32)}000002c02f01000000`, 'hex');
    const appData = Buffer.from('1703030005aabbccddee', 'hex');
    const frames: number[][] = [];
    const conversation = (port: number, clientData: Buffer[], serverData: Buffer[]) => {
      let cseq = 1001;
      let sseq = 5001;
      const c = (flags: number, payload?: Buffer) => {
        frames.push(
          ethernet(
            0x0800,
            ipv4(
              { src: client, dst: server, proto: 6 },
              tcp({ sport: 55000 + (port % 1000), dport: port, seq: cseq, ack: sseq, flags, payload }),
            ),
          ),
        );
        cseq += payload?.length ?? 0;
      };
      const s = (flags: number, payload?: Buffer) => {
        frames.push(
          ethernet(
            0x0800,
            ipv4(
              { src: server, dst: client, proto: 6, ttl: 128 },
              tcp({ sport: port, dport: 55000 + (port % 1000), seq: sseq, ack: cseq, flags, payload }),
            ),
          ),
        );
        sseq += payload?.length ?? 0;
      };
      frames.push(
        ethernet(
          0x0800,
          ipv4(
            { src: client, dst: server, proto: 6 },
            tcp({ sport: 55000 + (port % 1000), dport: port, seq: 1000, flags: FLAGS.SYN }),
          ),
        ),
        ethernet(
          0x0800,
          ipv4(
            { src: server, dst: client, proto: 6, ttl: 128 },
            tcp({ sport: port, dport: 55000 + (port % 1000), seq: 5000, ack: 1001, flags: FLAGS.SYN | FLAGS.ACK }),
          ),
        ),
      );
      c(FLAGS.ACK);
      for (let i = 0; i < Math.max(clientData.length, serverData.length); i++) {
        const cd = clientData[i];
        const sd = serverData[i];
        if (cd) c(FLAGS.PSH | FLAGS.ACK, cd);
        if (sd) s(FLAGS.PSH | FLAGS.ACK, sd);
      }
    };
    conversation(8443, [hello], [appData]);
    conversation(443, [hello], [appData]);
    conversation(7777, [Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'), hello], [Buffer.from('SSH-2.0-x\r\n')]);
    const ours = framesMatchTshark('tls-heuristic', frames);
    // On 8443 as on 443, and on 7777 once a segment looks like TLS (tshark tries its heuristic on each).
    assert.equal(ours.filter((l) => / TLSv1 \d+ Client Hello$/.test(l)).length, 3);
    assert.ok(
      ours.some((l) => / TCP \d+ 55777 → 7777 .*Len=21/.test(l)),
      'the SSH banner stays TCP',
    );
  });

  test('SSH on port 22: banners, the key exchange named by the method both sides agree on, then encrypted', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const nameList = (text: string) => {
      const b = Buffer.from(text);
      return Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    };
    /** An unencrypted binary packet (RFC 4253 §6) with `payload`, padded to a multiple of 8. */
    const packet = (payload: Buffer) => {
      let padding = 8 - ((payload.length + 5) % 8);
      if (padding < 4) padding += 8;
      const head = Buffer.from([0, 0, 0, 0, padding]);
      head.writeUInt32BE(1 + payload.length + padding);
      return Buffer.concat([head, payload, Buffer.alloc(padding)]);
    };
    const kexinit = (methods: string) =>
      packet(
        Buffer.concat([
          Buffer.from([20]),
          Buffer.alloc(16, 7),
          nameList(methods),
          ...['ssh-ed25519', 'aes128-ctr', 'aes128-ctr', 'hmac-sha2-256', 'hmac-sha2-256', 'none', 'none', '', ''].map(
            nameList,
          ),
          Buffer.alloc(5),
        ]),
      );
    const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
    const hostKey = sshString(Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(Buffer.alloc(32, 5))]));
    const signature = sshString(Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(Buffer.alloc(64, 6))]));
    const mpint = sshString(Buffer.alloc(256, 0x4a));
    /** Well-formed key exchange messages, as each method defines them (RFC 4253, 4419, 5656). */
    const bodies: Readonly<Record<string, Buffer>> = {
      'ecdh-30': sshString(Buffer.alloc(32, 1)),
      'ecdh-31': Buffer.concat([hostKey, sshString(Buffer.alloc(32, 2)), signature]),
      'dh-30': mpint,
      'dh-31': Buffer.concat([hostKey, mpint, signature]),
      'gex-34': Buffer.from([0, 0, 8, 0, 0, 0, 16, 0, 0, 0, 32, 0]),
      'gex-31': Buffer.concat([mpint, sshString(Buffer.from([2]))]),
      'gex-32': mpint,
      'gex-33': Buffer.concat([hostKey, mpint, signature]),
    };
    const message = (family: string, code: number) =>
      packet(Buffer.concat([Buffer.from([code]), bodies[`${family}-${code}`] ?? Buffer.alloc(0)]));
    const frames: number[][] = [];
    let port = 56000;
    const session = (steps: ReadonlyArray<readonly ['c' | 's', Buffer]>) => {
      port++;
      frames.push(...tcpConversation({ client, server, clientPort: port, serverPort: 22, serverTtl: 64 }, steps));
    };
    const banner = (text: string) => Buffer.from(`${text}\r\n`);
    const exchange = (methods: string, family: string, codes: Array<readonly ['c' | 's', number[]]>) => {
      const kex: Array<readonly ['c' | 's', Buffer]> = codes.map(([from, cs]) => [
        from,
        Buffer.concat(cs.map((c) => message(family, c))),
      ]);
      return [
        ['c', banner('SSH-2.0-OpenSSH_9.2')],
        ['s', banner('SSH-2.0-OpenSSH_9.6')],
        ['c', kexinit(methods)],
        ['s', kexinit('curve25519-sha256,diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha256')],
        ...kex,
        ['c', Buffer.alloc(44, 9)],
        ['s', Buffer.alloc(52, 9)],
      ] as Array<readonly ['c' | 's', Buffer]>;
    };
    session(
      exchange('curve25519-sha256', 'ecdh', [
        ['c', [30]],
        ['s', [31, 21]],
        ['c', [21]],
      ]),
    );
    session(
      exchange('diffie-hellman-group14-sha256', 'dh', [
        ['c', [30]],
        ['s', [31, 21]],
        ['c', [21]],
      ]),
    );
    session(
      exchange('diffie-hellman-group-exchange-sha256', 'gex', [
        ['c', [34]],
        ['s', [31]],
        ['c', [32]],
        ['s', [33, 21]],
        ['c', [21]],
      ]),
    );
    // A library that sends its banner and KEXINIT at once, and one whose KEXINIT is cut in two.
    const kex = kexinit('curve25519-sha256');
    session([
      ['c', Buffer.concat([banner('SSH-2.0-paramiko_3.4.0'), kex])],
      ['s', banner('SSH-2.0-OpenSSH_9.6')],
    ]);
    session([
      ['c', banner('SSH-2.0-Go')],
      ['c', kex.subarray(0, 100)],
      ['c', kex.subarray(100)],
    ]);
    // No banner at all: an HTTP probe, and binary noise.
    session([
      ['c', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['s', banner('SSH-2.0-OpenSSH_9.6')],
    ]);
    session([['c', Buffer.from('\x00\x01garbage', 'latin1')]]);
    const ours = framesMatchTshark('ssh', frames);
    assert.ok(ours.some((l) => l.endsWith(' Client: Elliptic Curve Diffie-Hellman Key Exchange Init')));
    assert.ok(ours.some((l) => l.includes('Server: Diffie-Hellman Group Exchange Reply, New Keys')));
  });

  test('WebSocket after an upgrade: frames named by their header, the last a segment completes, however cut', () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const ws = (op: number, payload: Buffer | string, { fin = true, mask = true } = {}): Buffer => {
      const p = Buffer.from(payload);
      const len = p.length < 126 ? [p.length] : [126, p.length >> 8, p.length & 0xff];
      const head = Buffer.from([(fin ? 0x80 : 0) | op, (mask ? 0x80 : 0) | (len[0] as number), ...len.slice(1)]);
      if (!mask) return Buffer.concat([head, p]);
      const key = Buffer.from([9, 8, 7, 6]);
      return Buffer.concat([head, key, p.map((b, i) => b ^ (key[i % 4] as number))]);
    };
    let cseq = 1001;
    let sseq = 5001;
    const frames: number[][] = [];
    const c = (payload?: Buffer | string, flags = FLAGS.PSH | FLAGS.ACK) => {
      const data = payload === undefined ? undefined : Buffer.from(payload);
      frames.push(
        ethernet(
          0x0800,
          ipv4(
            { src: client, dst: server, proto: 6 },
            tcp({ sport: 52000, dport: 80, seq: cseq, ack: sseq, flags, payload: data }),
          ),
        ),
      );
      cseq += data?.length ?? 0;
    };
    const s = (payload?: Buffer | string, flags = FLAGS.PSH | FLAGS.ACK) => {
      const data = payload === undefined ? undefined : Buffer.from(payload);
      frames.push(
        ethernet(
          0x0800,
          ipv4(
            { src: server, dst: client, proto: 6, ttl: 128 },
            tcp({ sport: 80, dport: 52000, seq: sseq, ack: cseq, flags, payload: data }),
          ),
        ),
      );
      sseq += data?.length ?? 0;
    };
    frames.push(
      ethernet(
        0x0800,
        ipv4({ src: client, dst: server, proto: 6 }, tcp({ sport: 52000, dport: 80, seq: 1000, flags: FLAGS.SYN })),
      ),
      ethernet(
        0x0800,
        ipv4(
          { src: server, dst: client, proto: 6, ttl: 128 },
          tcp({ sport: 80, dport: 52000, seq: 5000, ack: 1001, flags: FLAGS.SYN | FLAGS.ACK }),
        ),
      ),
    );
    c(undefined, FLAGS.ACK);
    c(
      'GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    s(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
    c(ws(1, 'hello'));
    s(ws(1, 'hello', { mask: false }));
    c(Buffer.concat([ws(1, 'two'), ws(2, 'three')]));
    c(ws(1, 'frag-a', { fin: false }));
    c(ws(0, 'frag-b'));
    const big = ws(2, Buffer.alloc(300, 7));
    c(big.subarray(0, 1));
    c(big.subarray(1, 120));
    c(big.subarray(120));
    const partial = ws(1, 'yy');
    c(Buffer.concat([ws(1, 'x'), partial.subarray(0, 3)]));
    c(partial.subarray(3));
    c(ws(9, 'ping'));
    s(ws(10, 'ping', { mask: false }));
    c(ws(0xb, 'odd'));
    c(ws(8, Buffer.from([0x03, 0xe8])));
    s(ws(8, Buffer.from([0x03, 0xe8]), { mask: false }));
    s(undefined, FLAGS.FIN | FLAGS.ACK);
    c(undefined, FLAGS.FIN | FLAGS.ACK);
    const ours = framesMatchTshark('websocket', frames);
    assert.ok(ours.some((l) => l.endsWith(' WebSocket Text[FRAGMENT]  [MASKED]')));
    assert.ok(ours.some((l) => l.endsWith(' WebSocket Unknown Opcode [FIN] [MASKED]')));
    assert.ok(!ours.some((l) => / \[FIN, ACK\] .*reassembled PDU/.test(l)), 'a FIN after the last frame is plain TCP');
  });

  test("a segment that fills the receiver's scaled window to its edge is [TCP Window Full]", () => {
    const [client, server] = ['192.168.7.10', '192.168.7.80'];
    const scale = [...OPT.nop(), ...OPT.ws(7)];
    const c = (seq: number, ack: number, flags: number, win: number, payload?: string, options?: number[]) =>
      ethernet(
        0x0800,
        ipv4(
          { src: client, dst: server, proto: 6 },
          tcp({ sport: 53000, dport: 80, seq, ack, flags, win, payload, ...(options ? { options } : {}) }),
        ),
      );
    const s = (seq: number, ack: number, flags: number, payload?: Buffer, options?: number[]) =>
      ethernet(
        0x0800,
        ipv4(
          { src: server, dst: client, proto: 6, ttl: 128 },
          tcp({ sport: 80, dport: 53000, seq, ack, flags, win: 512, payload, ...(options ? { options } : {}) }),
        ),
      );
    const request = 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n';
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3000\r\n\r\n';
    const body = Buffer.concat([Buffer.from(head), Buffer.alloc(3000, 0x61)]);
    const after = 1001 + request.length;
    const ours = framesMatchTshark('window-full', [
      c(1000, 0, FLAGS.SYN, 65535, undefined, scale),
      s(5000, 1001, FLAGS.SYN | FLAGS.ACK, undefined, scale),
      // A window field of 16, scaled by 2^7: the client offers 2048 bytes.
      c(1001, 5001, FLAGS.ACK, 16),
      c(1001, 5001, FLAGS.PSH | FLAGS.ACK, 16, request),
      s(5001, after, FLAGS.ACK, body.subarray(0, 1400)),
      s(6401, after, FLAGS.ACK, body.subarray(1400, 2048)),
      c(after, 7049, FLAGS.ACK, 40),
      s(7049, after, FLAGS.PSH | FLAGS.ACK, body.subarray(2048)),
    ]);
    assert.equal(ours.filter((l) => l.includes('[TCP Window Full]')).length, 1);
  });
});
