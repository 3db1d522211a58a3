import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checksum, ethernet, icmpEcho, ipv4, ipv6, udp, v6Checksummed } from './helpers/packets.js';
import { framesMatchTshark, tshark } from './helpers/tsharkCompare.js';

/** What links and UDP services carry, on hand-built captures compared line by line with tshark's: Ethernet names, switch protocols, IP fragments, UDP lengths and services, ARP, IGMP and MLD. */
describe('link, IP and UDP frames named as tshark names them', {
  skip: tshark ? false : 'tshark not installed',
}, () => {
  test('Ethernet addresses are named as tshark names them: whole addresses, blocks, vendors', () => {
    const mac = (text: string) => text.split(':').map((h) => Number.parseInt(h, 16));
    // Source and destination of ARP requests, each from its own sender address.
    const pairs = [
      ['00:1b:54:aa:bb:01', 'ff:ff:ff:ff:ff:ff'], // vendor; broadcast
      ['00:55:da:01:23:45', '01:00:5e:00:00:fb'], // an MA-L block's /28 owner; 01:00:5e/25 cut at 40 bits
      ['00:1b:c5:00:12:34', '33:33:00:00:00:fb'], // a /36 owner; 33:33/16 cut at 40 bits
      ['00:1b:c5:00:10:00', '33:33:00:00:00:00'], // a /36 block's first address; a whole address
      ['02:bf:01:02:03:04', '01:80:c2:00:00:00'], // a /16 block; the /44 spanning-tree block
      ['00:00:0c:07:ac:05', '01:80:c2:00:00:35'], // HSRP /40; a /45 block
      ['01:02:03:04:05:06', '03:00:00:00:00:01'], // a group address under its OUI; `NETBIOS-# [TR?]`
      ['aa:bb:cc:dd:ee:ff', '03:00:0c:04:05:06'], // nobody's; `ISL-Frame [TR?]`
      ['00:00:00:00:00:01', '01:00:0c:cc:cc:cc'],
    ];
    const frames = pairs.map(([src, dst], i) => {
      const sender = [10, 0, 1, i + 1];
      const f = [...mac(dst as string), ...mac(src as string), 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1];
      f.push(...mac(src as string), ...sender, 0, 0, 0, 0, 0, 0, 10, 0, 0, 254);
      while (f.length < 60) f.push(0);
      return f;
    });
    const ours = framesMatchTshark('mac-names', frames);
    assert.ok(
      ours.some((l) => l.includes(' → IPv4mcast_fb ')),
      'a multicast block is cut where tshark cuts it',
    );
  });

  test('what switches send: spanning tree (STP, RST, MST, TCN, PVST+), CDP and LLDP', () => {
    const mac = (text: string) => text.split(':').map((h) => Number.parseInt(h, 16));
    const src = mac('00:1b:54:aa:bb:01');
    const root = mac('00:11:22:33:44:55');
    const u16 = (n: number) => [n >> 8, n & 0xff];
    const pad = (f: number[]) => [...f, ...new Array(Math.max(0, 60 - f.length)).fill(0)];
    // 802.3: the length field instead of an EtherType, then the LLC header.
    const dot3 = (dst: string, llc: number[]) => pad([...mac(dst), ...src, ...u16(llc.length), ...llc]);
    const bpdu = (version: number, type: number, flags: number, rootPrio: number, cost: number, port: number) => [
      ...[0, 0, version, type, flags, ...u16(rootPrio), ...root, ...u16(cost >>> 16), ...u16(cost & 0xffff)],
      ...[0x80, 0, ...src, ...u16(port), 0, 1, 0x14, 0, 2, 0, 0x0f, 0],
    ];
    const stp = (body: number[]) => dot3('01:80:c2:00:00:00', [0x42, 0x42, 0x03, ...body]);
    const snap = (dst: string, pid: number, body: number[]) =>
      dot3(dst, [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, ...u16(pid), ...body]);
    const text = (t: string) => [...Buffer.from(t, 'latin1')];
    const cdpTlv = (type: number, value: number[]) => [...u16(type), ...u16(value.length + 4), ...value];
    const lldpTlv = (type: number, value: number[]) => [
      (type << 1) | (value.length >> 8),
      value.length & 0xff,
      ...value,
    ];
    const lldp = (tlvs: number[]) => pad([...mac('01:80:c2:00:00:0e'), ...src, 0x88, 0xcc, ...tlvs, 0, 0]);
    const frames = [
      stp(bpdu(0, 0, 0x01, 0x8000, 4, 0x8001)),
      stp(bpdu(0, 0, 0x80, 0x1001, 19, 0x8003)),
      stp([...bpdu(2, 2, 0x7d, 0x6000 | 10, 200000, 0x9002), 0]),
      stp([...bpdu(3, 2, 0x7c, 0x8000, 0, 0x8001), 0, 0, 64, ...new Array(62).fill(0x41)]),
      stp([0, 0, 0, 0x80]),
      stp([0, 0, 2, 2, 0x3c, 0, 0]),
      stp([]),
      snap('01:00:0c:cc:cc:cd', 0x010b, [...bpdu(2, 2, 0x3c, 0x8000 | 10, 4, 0x8001), 0, 0, 0, 0, 2, 0, 10]),
      snap('01:00:0c:cc:cc:cc', 0x2000, [
        ...[2, 180, 0, 0, ...cdpTlv(1, text('switch1.example.com')), ...cdpTlv(3, text('GigabitEthernet0/1'))],
        ...[...cdpTlv(4, [0, 0, 0, 0x28]), ...cdpTlv(6, text('cisco WS-C2960'))],
      ]),
      lldp([
        ...lldpTlv(1, [4, ...src]),
        ...lldpTlv(2, [5, ...text('Gi0/1')]),
        ...lldpTlv(3, [0, 120]),
        ...lldpTlv(5, text('sw1')),
      ]),
      lldp([...lldpTlv(1, [5, 1, 10, 0, 0, 1]), ...lldpTlv(2, [7, ...text('12')]), ...lldpTlv(3, [0, 4])]),
      lldp([...lldpTlv(1, [3, ...text('pc')]), ...lldpTlv(2, [4, 1, 192, 168, 0, 1]), ...lldpTlv(3, [1, 44])]),
      lldp([...lldpTlv(1, [6, ...text('eth0')]), ...lldpTlv(2, [6, ...text('c\tx')]), ...lldpTlv(3, [0, 0])]),
      lldp([...lldpTlv(1, [1, ...text('cc')]), ...lldpTlv(2, [1, ...text('ia')]), ...lldpTlv(6, text('IOS'))]),
    ];
    const ours = framesMatchTshark('switches', frames);
    assert.ok(
      ours.some((l) => l.includes(' STP 60 RST. TC + Root = 24576/10/00:11:22:33:44:55  Cost = 200000  Port = 0x9002')),
    );
    assert.ok(
      ours.some(
        (l) => l.includes(' CDP ') && l.endsWith('Device ID: switch1.example.com  Port ID: GigabitEthernet0/1  '),
      ),
    );
  });

  test('IP fragments: the one that completes a datagram shows it whole, in any order, overlaps as tshark resolves them', () => {
    const [a, b] = ['10.0.0.1', '10.0.0.2'];
    const v4Fragments = (src: string, dst: string, proto: number, payload: number[], size: number, id: number) =>
      Array.from({ length: Math.ceil(payload.length / size) }, (_, k) =>
        ipv4(
          { src, dst, proto, id, fragOffset: k * size, moreFragments: (k + 1) * size < payload.length },
          payload.slice(k * size, (k + 1) * size),
        ),
      );
    const [s6, d6] = ['2001:db8::1', '2001:db8::2'];
    const v6Fragments = (proto: number, payload: number[], size: number, id: number) =>
      Array.from({ length: Math.ceil(payload.length / size) }, (_, k) => {
        const field = ((k * size) / 8) * 8 + ((k + 1) * size < payload.length ? 1 : 0);
        const header = [44, field >> 8, field & 0xff, id >>> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff];
        return ipv6(s6, d6, proto, payload.slice(k * size, (k + 1) * size), 64, [header]);
      });
    const ping = v4Fragments(a, b, 1, icmpEcho(8, 0x1234, 1, 'x'.repeat(1400)), 600, 0x100);
    const pong = v4Fragments(b, a, 1, icmpEcho(0, 0x1234, 1, 'x'.repeat(1400)), 600, 0x200);
    const outOfOrder = v4Fragments(a, b, 17, udp(40001, 40002, Buffer.alloc(1000, 0x42)), 504, 0x300).reverse();
    const [holeStart, , holeEnd] = v4Fragments(a, b, 17, udp(40003, 40004, Buffer.alloc(1200, 0x41)), 400, 0x400);
    // Teardrop: the second fragment starts inside the first and ends the datagram before the first's end.
    const udpHeader = udp(31915, 20197, Buffer.alloc(28, 0x43));
    const teardrop = [
      ipv4({ src: a, dst: b, proto: 17, id: 0xf2, moreFragments: true }, udpHeader),
      ipv4({ src: a, dst: b, proto: 17, id: 0xf2, fragOffset: 24 }, [1, 2, 3, 4]),
    ];
    const udp6 = v6Fragments(17, v6Checksummed(s6, d6, 17, udp(7000, 8000, Buffer.alloc(1500, 0x43)), 6), 504, 0xabc);
    const echo6 = v6Fragments(58, v6Checksummed(s6, d6, 58, icmpEcho(128, 7, 1, 'y'.repeat(1300)), 2), 600, 0xdef);
    const packets = [...ping, ...pong, ...outOfOrder, holeStart!, holeEnd!, ...teardrop, ...udp6, ...echo6];
    const ours = framesMatchTshark(
      'fragments',
      packets.map((p) => ethernet(p[0]! >> 4 === 4 ? 0x0800 : 0x86dd, p)),
    );
    assert.ok(ours.some((l) => / ICMP \d+ Echo \(ping\) reply .*\(request in 3\)/.test(l)));
    assert.ok(ours.some((l) => l.includes(' UDP 38 31915 → 20197 [BAD UDP LENGTH 36 > IP PAYLOAD LENGTH] Len=28')));
    assert.equal(ours.filter((l) => l.includes('ID=0400')).length, 2, 'a datagram with a hole stays in fragments');
  });

  test('UDP length fields below 8 or beyond the IP payload are reported as tshark reports them', () => {
    const withLength = (length: number, data: number) => {
      const datagram = udp(40001, 40002, Buffer.alloc(data, 0x41));
      datagram[4] = length >> 8;
      datagram[5] = length & 0xff;
      return ethernet(0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, datagram));
    };
    const ours = framesMatchTshark('udp-lengths', [
      withLength(100, 20),
      withLength(4, 20),
      withLength(0, 20),
      withLength(20, 40),
      withLength(100, 0),
    ]);
    assert.ok(ours[1]?.endsWith('40001 → 40002 [BAD UDP LENGTH 4 < 8]'));
  });

  /** NetBIOS name service messages: queries, a response, registration, release, NBSTAT, refresh, an error. */
  function nbns(): number[][] {
    const name = (text: string, suffix: number, star = false) => {
      const bytes = star ? [0x2a, ...new Array(15).fill(0)] : [...Buffer.from(text.padEnd(15, ' ')), suffix];
      return [32, ...bytes.flatMap((c) => [65 + (c >> 4), 65 + (c & 0x0f)]), 0];
    };
    const header = (id: number, flags: number, counts: [number, number, number, number]) => [
      ...[id >> 8, id & 0xff, flags >> 8, flags & 0xff],
      ...counts.flatMap((n) => [0, n]),
    ];
    const nbRecord = (owner: number[], data: number[]) => [
      ...owner,
      0,
      0x20,
      0,
      1,
      0,
      0,
      0x0e,
      0x10,
      0,
      data.length,
      ...data,
    ];
    const host = [0, 0, 10, 0, 0, 1];
    return [
      [...header(0x80f0, 0x0110, [1, 0, 0, 0]), ...name('WPAD', 0), 0, 0x20, 0, 1],
      [...header(0x80f0, 0x8500, [0, 1, 0, 0]), ...nbRecord(name('WPAD', 0), [0, 0, 10, 0, 0, 5])],
      [...header(0x1234, 0x2910, [1, 0, 0, 1]), ...name('HOST1', 0x20), 0, 0x20, 0, 1, ...nbRecord([0xc0, 12], host)],
      [...header(0x1235, 0x3010, [1, 0, 0, 1]), ...name('HOST1', 0x20), 0, 0x20, 0, 1, ...nbRecord([0xc0, 12], host)],
      [...header(0x1236, 0x0000, [1, 0, 0, 0]), ...name('*', 0, true), 0, 0x21, 0, 1],
      [
        ...header(0x1237, 0x4010, [1, 0, 0, 1]),
        ...name('WORKGROUP', 0x1e),
        0,
        0x20,
        0,
        1,
        ...nbRecord([0xc0, 12], host),
      ],
      [...header(0x1238, 0x8583, [0, 1, 0, 0]), ...nbRecord(name('NOPE', 0), [])],
    ];
  }

  test('the UDP services a network hums with: NTP (mode 7 too), mDNS, LLMNR, SSDP, DHCP, BOOTP and NBNS', () => {
    const datagram = (sport: number, dport: number, payload: Buffer | number[], dst = '10.0.0.2') =>
      ethernet(0x0800, ipv4({ src: '10.0.0.1', dst, proto: 17 }, udp(sport, dport, Buffer.from(payload))));
    const ntp = (first: number, length = 48, code = 0) => {
      const b = Buffer.alloc(length);
      b[0] = first;
      if (length > 3) b[3] = code;
      return b;
    };
    const name = (n: string) =>
      Buffer.concat([
        ...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
        Buffer.from([0]),
      ]);
    const header = (id: number, flags: number, questions: number, answers: number) =>
      Buffer.from([id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, questions, 0, answers, 0, 0, 0, 0]);
    const question = (n: string, type: number, cls: number) =>
      Buffer.concat([name(n), Buffer.from([0, type, cls >> 8, cls & 0xff])]);
    const record = (n: string, type: number, cls: number, data: number[]) =>
      Buffer.concat([name(n), Buffer.from([0, type, cls >> 8, cls & 0xff, 0, 0, 0, 120, 0, data.length, ...data])]);
    const dhcp = (op: number, type: number | null) => {
      const b = Buffer.alloc(244);
      b[0] = op;
      b[1] = 1;
      b[2] = 6;
      b.writeUInt32BE(0x3903f326, 4);
      b.set([0x00, 0x1b, 0x54, 0xaa, 0xbb, 0x01], 28);
      b.writeUInt32BE(0x63825363, 236);
      b.set(type === null ? [255] : [53, 1, type, 255], 240);
      return b;
    };
    const frames = [
      ...[0xe3, 0x24, 0x1c, 0x19, 0x16, 0x11].map((first) => datagram(123, 123, ntp(first))),
      datagram(40000, 123, ntp(0x17, 48, 42)),
      datagram(123, 40000, ntp(0x97, 48, 42)),
      datagram(40000, 123, ntp(0x17, 8, 20)),
      datagram(40000, 123, [0x17, 0x80, 0x03, 0x2a, 0, 0, 0, 0]),
      datagram(40000, 123, [0x17, 0x00, 0x03, 0x2a, 0, 1, 0, 8]),
      datagram(40000, 123, ntp(0x23, 20)),
      datagram(
        5353,
        5353,
        Buffer.concat([header(0, 0, 2, 0), question('a.local', 1, 1), question('b.local', 28, 0x8001)]),
        '224.0.0.251',
      ),
      datagram(
        5353,
        5353,
        Buffer.concat([
          header(0, 0x8400, 0, 2),
          record('printer.local', 1, 0x8001, [192, 168, 1, 5]),
          record('_ipp._tcp.local', 12, 1, [...name('p._ipp._tcp.local')]),
        ]),
        '224.0.0.251',
      ),
      datagram(40002, 5355, Buffer.concat([header(0x1234, 0, 1, 0), question('wpad', 1, 1)]), '224.0.0.252'),
      datagram(
        40001,
        1900,
        Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ssdp:all\r\n\r\n'),
        '239.255.255.250',
      ),
      datagram(1900, 40001, Buffer.from('HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n')),
      datagram(1900, 1900, Buffer.from('not ssdp')),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((type) => datagram(68, 67, dhcp(1, type), '255.255.255.255')),
      datagram(68, 67, dhcp(1, null)),
      datagram(67, 68, dhcp(2, null)),
      datagram(67, 68, Buffer.from('short')),
      ...nbns().map((payload) => datagram(137, 137, payload, '10.0.0.255')),
    ];
    const ours = framesMatchTshark('udp-services', frames);
    assert.ok(ours.some((l) => l.endsWith(' NTP 90 NTP Version 2, private, Request, MON_GETLIST_1')));
    assert.ok(ours.some((l) => l.endsWith('DHCP Offer    - Transaction ID 0x3903f326')));
  });

  test('ARP as hosts joining a link send it: probes, announcements, gratuitous ARP; RARP and Inverse ARP', () => {
    const mac = (text: string) => text.split(':').map((h) => Number.parseInt(h, 16));
    const ip = (text: string) => text.split('.').map(Number);
    const [a, b, none, all] = ['00:1b:54:aa:bb:01', '00:1b:54:aa:bb:02', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff'];
    const arp = (op: number, sha: string, spa: string, tha: string, tpa: string) => {
      const f = [
        ...mac(all),
        ...mac(sha),
        0x08,
        0x06,
        0,
        1,
        8,
        0,
        6,
        4,
        0,
        op,
        ...mac(sha),
        ...ip(spa),
        ...mac(tha),
        ...ip(tpa),
      ];
      return [...f, ...new Array(60 - f.length).fill(0)];
    };
    const ours = framesMatchTshark('arp', [
      arp(1, a, '10.0.0.1', none, '10.0.0.2'),
      arp(2, b, '10.0.0.2', a, '10.0.0.1'),
      arp(1, a, '0.0.0.0', none, '10.0.0.9'),
      arp(1, a, '0.0.0.0', b, '10.0.0.9'),
      arp(1, a, '10.0.0.3', none, '10.0.0.3'),
      arp(1, a, '10.0.0.4', all, '10.0.0.4'),
      arp(2, a, '10.0.0.5', all, '10.0.0.5'),
      arp(3, a, '10.0.0.1', a, '10.0.0.1'),
      arp(4, b, '10.0.0.2', a, '10.0.0.1'),
      arp(8, a, '10.0.0.1', b, '10.0.0.2'),
      arp(9, b, '10.0.0.2', a, '10.0.0.1'),
    ]);
    assert.ok(ours.some((l) => l.endsWith(' ARP 60 Who has 10.0.0.9? (ARP Probe)')));
    assert.ok(ours.some((l) => l.endsWith(' ARP 60 ARP Announcement for 10.0.0.3')));
  });

  test('multicast membership as hosts and switches send it: IGMP v1/v2/v3 and MLD', () => {
    const ip = (text: string) => text.split('.').map(Number);
    const withChecksum = (m: number[]) => {
      const c = checksum(m);
      m[2] = c >> 8;
      m[3] = c & 0xff;
      return m;
    };
    const igmp = (dst: string, m: number[]) =>
      ethernet(0x0800, ipv4({ src: '10.0.0.1', dst, proto: 2, ttl: 1 }, withChecksum(m)));
    const record = (type: number, group: string, sources: string[]) => [
      type,
      0,
      0,
      sources.length,
      ...ip(group),
      ...sources.flatMap(ip),
    ];
    const report = (...records: number[][]) =>
      igmp('224.0.0.22', [0x22, 0, 0, 0, 0, 0, 0, records.length, ...records.flat()]);
    const mld = (dst: string, body: number[]) =>
      ethernet(0x86dd, ipv6('fe80::1', dst, 58, v6Checksummed('fe80::1', dst, 58, body, 2), 1));
    const group6 = [0xff, 0x02, ...new Array(13).fill(0), 0xfb];
    const frames = [
      igmp('224.0.0.1', [0x11, 0, 0, 0, 0, 0, 0, 0]),
      igmp('224.0.0.1', [0x11, 100, 0, 0, 0, 0, 0, 0]),
      igmp('239.4.4.4', [0x11, 100, 0, 0, ...ip('239.4.4.4')]),
      igmp('224.0.0.1', [0x11, 100, 0, 0, 0, 0, 0, 0, 0, 125, 0, 0]),
      igmp('239.4.4.4', [0x11, 100, 0, 0, ...ip('239.4.4.4'), 0, 125, 0, 1, ...ip('10.9.9.9')]),
      igmp('224.0.0.5', [0x12, 0, 0, 0, ...ip('224.0.0.5')]),
      igmp('239.255.255.250', [0x16, 0, 0, 0, ...ip('239.255.255.250')]),
      igmp('224.0.0.2', [0x17, 0, 0, 0, ...ip('239.255.255.250')]),
      report(record(4, '224.0.0.251', []), record(3, '239.1.1.1', [])),
      ...[1, 2, 5, 6].flatMap((type) => [
        report(record(type, '239.3.3.3', [])),
        report(record(type, '239.3.3.3', ['10.9.9.9'])),
        report(record(type, '239.3.3.3', ['10.9.9.9', '10.8.8.8'])),
      ]),
      mld('ff02::1', [130, 0, 0, 0, 0x27, 0x10, 0, 0, ...new Array(16).fill(0)]),
      mld('ff02::fb', [131, 0, 0, 0, 0, 0, 0, 0, ...group6]),
      mld('ff02::2', [132, 0, 0, 0, 0, 0, 0, 0, ...group6]),
      mld('ff02::16', [143, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, ...group6]),
    ];
    const ours = framesMatchTshark('multicast', frames);
    assert.ok(
      ours.some((l) =>
        l.endsWith(' IGMPv3 58 Membership Report / Join group 224.0.0.251 for any sources / Leave group 239.1.1.1'),
      ),
    );
  });
});
