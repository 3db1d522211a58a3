import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Frame } from '../../src/monitor/capture/frame.js';
import { IpReassembler } from '../../src/monitor/decode/ipFragments.js';
import { decodePacket } from '../../src/monitor/decode/packet.js';
import { multipartColumns } from '../../src/monitor/log/info/multipart.js';
import { PacketLogReader } from '../../src/monitor/log/packetLogReader.js';
import { ByteBudget } from '../../src/monitor/protocols/byteBudget.js';
import { SmtpLogConversation, SshLogConversation, WebSocketLogConversation } from './helpers/logConversations.js';
import { ethernet, FLAGS, ipv4, ipv6, OPT, tcp, testFrame, udp } from './helpers/packets.js';
import { httpExchange } from './helpers/scenario.js';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999];

function frame(linkType: number, data: Uint8Array, n = 1): Frame {
  return testFrame(data, { linkType, number: n });
}

describe('decoders on hostile bytes', () => {
  test('what switches send, with hostile contents: STP, CDP, PVST+, LLDP and other LLC never throw', () => {
    const log = new PacketLogReader();
    const headers = [
      [0x42, 0x42, 0x03],
      [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00],
      [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x01, 0x0b],
      [0xf0, 0xf0, 0x03],
    ];
    let n = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: headers.length - 1 }),
        fc.uint8Array({ maxLength: 120 }),
        fc.integer({ min: 0, max: 1600 }),
        (which, body, lengthField) => {
          const llc = which < 0 ? [] : (headers[which] as number[]);
          // 0x88cc is LLDP; any other value at most 1500 is an 802.3 length, right or wrong.
          const type = which < 0 ? 0x88cc : lengthField;
          const data = Uint8Array.from([...new Array(12).fill(2), type >> 8, type & 0xff, ...llc, ...body]);
          assert.equal(typeof log.line(decodePacket(frame(1, data, ++n))), 'string');
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('hostile UDP services (DNS, mDNS, LLMNR, DHCP, NTP, NBNS, SSDP) and IGMP never throw', () => {
    const log = new PacketLogReader();
    let n = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(53, 67, 68, 123, 137, 1900, 5353, 5355, 0),
        fc.uint8Array({ maxLength: 300 }),
        (port, body) => {
          const packet =
            port === 0
              ? ipv4({ src: '10.0.0.1', dst: '224.0.0.22', proto: 2 }, [...body])
              : ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp(port, port, body));
          assert.equal(typeof log.line(decodePacket(frame(101, Uint8Array.from(packet), ++n))), 'string');
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('hostile HTTP bodies (any type, any encoding, lengths that lie) through the log never throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('text/html', 'application/json', 'image/png', 'multipart/form-data', '', 'x/y; z'),
        fc.constantFrom('gzip', 'x-gzip', 'deflate', 'br', 'identity', 'GZIP '),
        fc.uint8Array({ maxLength: 700 }),
        fc.integer({ min: 0, max: 2000 }),
        (type, encoding, body, claimed) => {
          const head = `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${claimed}\r\n\r\n`;
          const response = Buffer.concat([Buffer.from(head, 'latin1'), body]);
          const log = new PacketLogReader();
          httpExchange(40000, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', response).forEach((p, i) => {
            assert.equal(typeof log.line(decodePacket(frame(101, Uint8Array.from(p.bytes), i + 1))), 'string');
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  test('hostile IP fragments (any offsets, overlaps, ids) through reassembly and the log never throw', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.integer({ min: 0, max: 3 }),
            offset: fc.integer({ min: 0, max: 8191 }),
            more: fc.boolean(),
            proto: fc.constantFrom(1, 6, 17, 58, 99),
            data: fc.uint8Array({ maxLength: 64 }),
          }),
          { maxLength: 40 },
        ),
        (fragments) => {
          const log = new PacketLogReader();
          const reassembler = new IpReassembler();
          fragments.forEach((f, i) => {
            const bytes = ipv4(
              {
                src: '10.0.0.1',
                dst: '10.0.0.2',
                proto: f.proto,
                id: f.id,
                fragOffset: f.offset * 8,
                moreFragments: f.more,
              },
              [...f.data],
            );
            const p = reassembler.packet(decodePacket(frame(101, Uint8Array.from(bytes), i + 1)));
            assert.equal(typeof log.line(p), 'string');
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('random bytes on every link type: never a throw, and a log line every time', () => {
    const log = new PacketLogReader();
    let n = 0;
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 200 }), (linkType, data) => {
        const p = decodePacket(frame(linkType, data, ++n));
        assert.equal(typeof log.line(p), 'string');
      }),
      { numRuns: 3000 },
    );
  });

  test('WebSocket frames cut anywhere, with any header: one summary per segment, the same as whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(400), { maxLength: 8 }), (bytes, cuts) => {
        const whole = new WebSocketLogConversation().onSegment(0, bytes);
        const cut = new WebSocketLogConversation();
        const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
        let last: ReturnType<WebSocketLogConversation['onSegment']> = null;
        let from = 0;
        for (const at of [...points, bytes.length]) {
          const r = cut.onSegment(0, bytes.subarray(from, at));
          if (r?.kind === 'message') last = r;
          from = at;
        }
        // The frames completed are the same however the bytes were cut, so the last one named is too.
        if (whole?.kind === 'message') assert.deepEqual(last, whole);
        else assert.equal(last, null);
      }),
      { numRuns: 2000 },
    );
  });

  test('multipart bodies with hostile parts and boundaries never throw, and nesting is bounded', () => {
    const piece = fc.constantFrom(
      '--B',
      '--B--',
      '\r\n',
      '\n',
      'Content-Type: ',
      'multipart/mixed; boundary=B',
      'text/plain',
      'x',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.constantFrom('B', '', '-'), (pieces, boundary) => {
        const r = multipartColumns(Buffer.from(pieces.join(''), 'latin1'), boundary);
        assert.equal(typeof r.suffix, 'string');
      }),
      { numRuns: 2000 },
    );
    // Every part a multipart with the same boundary: followed a few levels, not for ever.
    const nested = `--B\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n`.repeat(10_000);
    assert.deepEqual(multipartColumns(Buffer.from(nested), 'B'), { protocol: '', suffix: '' });
  });

  test('SSH with hostile banners and packet lengths never throws, and holds no more than one packet', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'SSH-2.0-x\r\n',
        'SSH-',
        '\r\n',
        '\x00\x00\x00\x0c\x0a\x14',
        '\xff\xff\xff\xff',
        '\x00\x00\x88\xb8',
      ),
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), piece), { maxLength: 30 }), (segments) => {
        const ssh = new SshLogConversation();
        for (const [fromServer, text] of segments) {
          const r = ssh.onSegment(fromServer ? 1 : 0, Buffer.from(text, 'latin1'), fromServer);
          assert.ok(r === null || r.kind === 'segment' || r.info.startsWith(fromServer ? 'Server: ' : 'Client: '));
        }
      }),
      { numRuns: 2000 },
    );
    // A banner that never ends: its start is kept, not all of it.
    const endless = new SshLogConversation();
    for (let i = 0; i < 1000; i++)
      endless.onSegment(0, Buffer.from(i === 0 ? `SSH-${'x'.repeat(996)}` : 'y'.repeat(1000)), false);
    const line = endless.onSegment(0, Buffer.from('\r\n'), false);
    assert.equal(line?.kind, 'message');
    assert.ok(line?.kind === 'message' && line.info.length < 300, 'the banner shown is cut to its allowed length');
  });

  test('SMTP with hostile commands, replies and messages never throws, and holds a bounded line', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'DATA\r\n',
        '.\r\n',
        '\r\n.\r\n',
        'BDAT 5 LAST\r\n',
        'AUTH LOGIN\r\n',
        '334 x\r\n',
        'STARTTLS\r\n',
        '250-x\r\n',
        'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n',
        'Content-Transfer-Encoding: base64\r\nContent-Type: message/rfc822; x\r\n\r\n',
        'Subject: \xff\x00\r\n ',
        '\r',
      ),
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), piece), { maxLength: 30 }), (segments) => {
        const smtp = new SmtpLogConversation(new ByteBudget(4096));
        for (const [toServer, text] of segments) {
          const r = smtp.onSegment(toServer ? 0 : 1, Buffer.from(text, 'latin1'), toServer);
          assert.ok(r === null || r.kind === 'segment' || Buffer.byteLength(r.info) <= 4095);
        }
      }),
      { numRuns: 2000 },
    );
    // A line that never ends is held up to a bound, then shown.
    const endless = new SmtpLogConversation(new ByteBudget());
    let last = endless.onSegment(0, Buffer.alloc(1000, 0x41), true);
    for (let i = 0; i < 100 && last?.kind === 'segment'; i++)
      last = endless.onSegment(0, Buffer.alloc(1000, 0x41), true);
    assert.equal(last?.kind, 'message');
  });

  test('FTP, POP3, IMAP, PostgreSQL and IRC with hostile lines, messages and literals never throw', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '227 (1,2,3,4,5,6)\r\n',
        '227 999,1,1,1,1,1\r\n',
        '229 (|||70000|)\r\n',
        '229 (!!!21!)\r\n',
        'PORT 10,0,0,1,0,0\r\n',
        'EPRT |2|::1|1|\r\n',
        'EPRT x\r\n',
        'AUTH TLS\r\n',
        '234 ok\r\n',
        '+OK 5 octets\r\n',
        'RETR 1\r\n',
        'STLS\r\n',
        '* 1 FETCH (BODY[] {4294967295}\r\n',
        '* 1 FETCH (x {3}\r\nab)',
        'a1 LOGIN\r\n',
        'a1 STARTTLS\r\n',
        'a1 OK\r\n',
        '\x00\x00\x00\x08\x04\xd2\x16\x2f',
        'S',
        'D\xff\xff\xff\xff',
        'Q\x00\x00',
      ),
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(21, 110, 143, 5432, 6667),
        fc.array(fc.tuple(fc.boolean(), piece), { maxLength: 30 }),
        (port, segments) => {
          const log = new PacketLogReader();
          const seq = { client: 1, server: 1 };
          for (const [toServer, text] of segments) {
            const payload = Buffer.from(text, 'latin1');
            const [src, dst] = toServer ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.2', '10.0.0.1'];
            const [sport, dport] = toServer ? [40000, port] : [port, 40000];
            const side = toServer ? 'client' : 'server';
            const bytes = ipv4(
              { src, dst, proto: 6 },
              tcp({ sport, dport, seq: seq[side], ack: 1, flags: FLAGS.PSH | FLAGS.ACK, payload }),
            );
            seq[side] += payload.length;
            const line = log.line(decodePacket(frame(101, Uint8Array.from(bytes))));
            assert.match(line, / (FTP|POP|IMAP|IRC|PGSQL|TCP|TLSv?[\d.]*|SSL)(\/\S+)? /);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('every prefix of a real packet decodes to a result with an error, not an exception', () => {
    const full = Uint8Array.from(
      ethernet(
        0x86dd,
        ipv6(
          '2001:db8::1',
          '2001:db8::2',
          6,
          tcp({ sport: 1, dport: 80, seq: 5, flags: FLAGS.SYN, options: [...OPT.mss(1440), ...OPT.ws(7)] }),
          64,
          [[0, 1, 4, 0, 0, 0, 0]],
        ),
      ),
    );
    const log = new PacketLogReader();
    for (let cut = 0; cut < full.length; cut++) {
      const p = decodePacket(frame(1, full.subarray(0, cut), cut + 1));
      if (cut < full.length) assert.ok(p.error !== null || p.transport.kind === 'none' || p.transport.kind === 'tcp');
      log.line(p);
    }
    assert.equal(decodePacket(frame(1, full)).error, null);
  });

  test('an IPv4 header claiming more than the frame holds is flagged, not over-read', () => {
    const bytes = Uint8Array.from(
      ethernet(
        0x0800,
        ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp({ sport: 1, dport: 2, seq: 0, flags: FLAGS.SYN })),
      ),
    );
    bytes[14 + 2] = 0xff;
    bytes[14 + 3] = 0xff;
    const p = decodePacket(frame(1, bytes));
    assert.equal(p.transport.kind, 'tcp');
    assert.ok(p.payload.length <= bytes.length);
  });

  test('fragments are flagged and not decoded further', () => {
    const bytes = Uint8Array.from(
      ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, fragOffset: 64, id: 7 }, [1, 2, 3, 4, 5, 6, 7, 8]),
    );
    const p = decodePacket(frame(101, bytes));
    assert.equal(p.ip?.fragmented, true);
    assert.equal(p.ip?.fragmentOffset, 64);
    assert.equal(p.transport.kind, 'none');
  });
});
