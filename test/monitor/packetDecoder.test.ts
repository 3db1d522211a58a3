import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CaptureParser } from '../../src/monitor/capture/captureParser.js';
import type { Frame } from '../../src/monitor/capture/frame.js';
import { ReusedFrame } from '../../src/monitor/capture/reusedFrame.js';
import { flowKey } from '../../src/monitor/decode/flowKey.js';
import { decodePacket } from '../../src/monitor/decode/packet.js';
import { PacketDecoder } from '../../src/monitor/decode/packetDecoder.js';
import { pcap } from './helpers/captureWriter.js';
import { ethernet, FLAGS, ipv4, OPT, tcp, testFrame, udp } from './helpers/packets.js';

function frame(data: Uint8Array, n: number, linkType = 1): Frame {
  return testFrame(data, { number: n, linkType });
}

/** A packet's fields as plain data: what a reader may keep of a refilled packet. */
function copy(p: ReturnType<typeof decodePacket>): unknown {
  return JSON.parse(
    JSON.stringify({ ...p, frame: p.frame.number, payload: [...p.payload], payloadSize: p.payloadSize }),
  );
}

const C = '10.0.0.1';
const S = '10.0.0.2';

/** The packets of a capture's usual traffic, and some that break off at each layer. */
function samples(): Uint8Array[] {
  const out: number[][] = [
    ethernet(
      0x0800,
      ipv4(
        { src: C, dst: S, proto: 6 },
        tcp({ sport: 4000, dport: 80, seq: 1, flags: FLAGS.SYN, options: OPT.mss(1460) }),
      ),
    ),
    ethernet(
      0x0800,
      ipv4(
        { src: S, dst: C, proto: 6 },
        tcp({ sport: 80, dport: 4000, seq: 9, ack: 2, flags: FLAGS.ACK, payload: 'HTTP/1.1 200 OK\r\n\r\n' }),
      ),
    ),
    ethernet(0x0800, ipv4({ src: C, dst: S, proto: 17 }, udp(5353, 53, 'query'))),
    ethernet(0x0800, ipv4({ src: C, dst: S, proto: 1 }, [8, 0, 0, 0, 0, 1, 0, 1])),
    ethernet(0x0806, [0, 1, 8, 0, 6, 4, 0, 1]),
    ethernet(
      0x0800,
      ipv4({ src: C, dst: S, proto: 6, fragOffset: 8 }, tcp({ sport: 1, dport: 2, seq: 3, flags: FLAGS.ACK })),
    ),
  ];
  return out.map((b) => Uint8Array.from(b));
}

describe('PacketDecoder: packets refilled frame after frame', () => {
  test('every packet reads as decodePacket reads it, the usual kinds and cut-off ones alike', () => {
    const decoder = new PacketDecoder();
    let n = 0;
    for (const data of samples()) {
      for (let cut = data.length; cut >= 0; cut -= 7) {
        const f = frame(data.subarray(0, cut), ++n);
        assert.deepEqual(copy(decoder.decode(f)), copy(decodePacket(f)), `frame ${n}, ${cut} bytes`);
      }
    }
  });

  test('a record read in place in the chunk reads as its own copy, bytes around it unread', () => {
    const decoder = new PacketDecoder();
    let n = 0;
    for (const [i, data] of samples().entries()) {
      for (let cut = data.length; cut >= 0; cut -= 7) {
        const own = frame(Uint8Array.from(data.subarray(0, cut)), ++n);
        // The chunk: the previous record's tail before, the next record's bytes after.
        const bytes = new Uint8Array(5 + data.length + 60).fill(0x45);
        bytes.set(data, 5);
        let views = 0;
        const inPlace: Frame = {
          ...own,
          get data(): Uint8Array {
            views++;
            return own.data;
          },
          bytes,
          start: 5,
          end: 5 + cut,
        };
        const p = decoder.decode(inPlace);
        const t = p.transport;
        const key = t.kind === 'tcp' ? flowKey(p, t.tcp.sourcePort, t.tcp.destinationPort) : null;
        // Whole TCP and UDP packets over IPv4 (the first three samples) take the common path: no view.
        if (i < 3 && cut === data.length) assert.equal(views, 0, `frame ${n} made a view`);
        const expected = decodePacket(own);
        assert.deepEqual(copy(p), copy(expected), `frame ${n}, ${cut} bytes`);
        if (t.kind === 'tcp') assert.equal(key, flowKey(expected, t.tcp.sourcePort, t.tcp.destinationPort));
      }
    }
  });

  test("a payload's view is made when read, is the packet's own, and a view kept outlives the next packet", () => {
    const decoder = new PacketDecoder();
    const segment = (payload: string): Uint8Array =>
      Uint8Array.from(
        ethernet(
          0x0800,
          ipv4(
            { src: C, dst: S, proto: 6 },
            tcp({ sport: 4000, dport: 80, seq: 1, flags: FLAGS.PSH | FLAGS.ACK, payload }),
          ),
        ),
      );
    // One chunk, refilled record after record as the capture parser refills it.
    const chunk = new Uint8Array(200);
    const reused = new ReusedFrame();
    const next = (data: Uint8Array, n: number) => {
      chunk.fill(0x45);
      chunk.set(data, 10);
      reused.number = n;
      reused.linkType = 1;
      reused.refill(chunk, 10, 10 + data.length);
      return decoder.decode(reused);
    };
    const first = next(segment('GET /a HTTP/1.1\r\n\r\n'), 1);
    assert.equal(first.payloadSize, 19);
    const kept = first.payload;
    assert.equal(Buffer.from(kept).toString('latin1'), 'GET /a HTTP/1.1\r\n\r\n');
    assert.equal(first.payload, kept, 'one view per packet, made once');
    const copyOfKept = Uint8Array.from(kept);
    // The next packet refills the same packet object: it reads its own payload, not the view made for the last one.
    const second = next(segment('POST /b'), 2);
    assert.equal(second, first, 'the decoder refills one packet');
    assert.equal(Buffer.from(second.payload).toString('latin1'), 'POST /b');
    assert.notEqual(second.payload, kept);
    const third = next(segment(''), 3);
    assert.equal(third.payloadSize, 0);
    assert.equal(third.payload.length, 0);
    // A reader that keeps a view keeps the capture's bytes (a copy is its to make): the view
    // itself still covers the first record's place, whatever the next packets did to the packet.
    assert.equal(kept.length, copyOfKept.length);
  });

  test('random bytes after an Ethernet and IPv4 header read the same both ways', () => {
    const decoder = new PacketDecoder();
    let n = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 80 }), (proto, body) => {
        const data = Uint8Array.from(ethernet(0x0800, ipv4({ src: C, dst: S, proto }, [...body])));
        const f = frame(data, ++n);
        assert.deepEqual(copy(decoder.decode(f)), copy(decodePacket(f)));
      }),
    );
  });

  test('a refilled frame carries each record of a pcap file, in order', () => {
    const packets = samples().map((data, i) => ({ data: [...data], sec: 1_700_000_000 + i, nsec: i * 1000 }));
    const file = pcap(packets, { linkType: 1 });
    const seen = (reuseFrames: boolean): unknown[] => {
      const out: unknown[] = [];
      const parser = new CaptureParser({ reuseFrames });
      // Fed in small pieces, so records straddle the chunks.
      for (let at = 0; at < file.length; at += 50)
        parser.push(file.subarray(at, at + 50), (f) => {
          // A reused frame's bytes are the chunk's, an own frame's its data: the record in them is the same.
          const { bytes, start, end, ...fields } = f;
          assert.deepEqual([...bytes.subarray(start, end)], [...f.data]);
          out.push({ ...fields, data: [...f.data] });
        });
      parser.end();
      return out;
    };
    const reused = seen(true);
    assert.equal(reused.length, packets.length);
    assert.deepEqual(reused, seen(false));
  });
});
