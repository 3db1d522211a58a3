import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtInNetwork } from '../../src/config/builtInDefaults.js';
import { judgedRun as run, threats } from './helpers/judgedRun.js';
import { FLAGS, ipv4, tcp, udp } from './helpers/packets.js';

const ATTACKER = '198.51.100.7';
const SERVER = '203.0.113.10';
const probe = (dport: number, flags: number, dst = SERVER): number[] =>
  ipv4({ src: ATTACKER, dst, proto: 6 }, tcp({ sport: 40000, dport, seq: 1, flags, win: 1024 }));

describe('network detections', () => {
  for (const [kind, flags] of [
    ['syn', FLAGS.SYN],
    ['fin', FLAGS.FIN],
    ['null', 0],
    ['xmas', FLAGS.FIN | FLAGS.PSH | FLAGS.URG],
  ] as const) {
    test(`a ${kind.toUpperCase()} scan of many ports is one port-scan event naming its kind`, () => {
      const ports = Array.from({ length: 30 }, (_, i) => 1000 + i);
      const { events } = run(ports.map((p) => probe(p, flags)));
      const scans = events.filter((e) => e.threat?.software?.id === 'port-scan');
      assert.equal(scans.length, 1, 'reported once per cooldown');
      assert.equal(scans[0]!.rule?.id, `monitor-port-scan-${kind}`);
      assert.equal(scans[0]!.source.ip, ATTACKER);
      assert.equal(scans[0]!.threat?.software?.name, 'Port scan', 'named from the catalog');
      // FIN, NULL and Xmas are never sent by a real stack, so fewer ports suffice.
      const needed = builtInNetwork().portScan[kind === 'syn' ? 'ports' : 'stealthPorts'];
      assert.match(scans[0]!.bansho.evidence ?? '', new RegExp(`${needed} ports on ${SERVER}`));
    });
  }

  test('FIN, NULL and Xmas probes are no real TCP: a few ports already make a scan', () => {
    const { events } = run([probe(3390, FLAGS.FIN), probe(3391, 0), probe(3392, FLAGS.FIN | FLAGS.PSH | FLAGS.URG)]);
    const scans = events.filter((e) => e.threat?.software?.id === 'port-scan');
    assert.equal(scans.length, 1);
    assert.equal(scans[0]!.rule?.id, 'monitor-port-scan-xmas');
  });

  test('a SYN flood from spoofed sources to scattered destinations is caught by the global rule', () => {
    const packets = Array.from({ length: 120 }, (_, i) =>
      ipv4(
        { src: `10.${i}.1.${i % 250}`, dst: `172.16.${i}.9`, proto: 6 },
        tcp({ sport: 2000 + i, dport: 1000 + i, seq: i, flags: FLAGS.SYN }),
      ),
    );
    const floods = run(packets).events.filter((e) => e.threat?.software?.id === 'syn-flood');
    assert.equal(floods.length, 1);
    assert.equal(floods[0]!.rule?.id, 'monitor-syn-flood-spoofed');
    assert.match(floods[0]!.message, /^detected: SYN flood from /, 'named from the catalog');
  });

  test('one source opening SSH connection after connection to one server is SSH brute force, once', () => {
    const ssh = (sport: number, dst = SERVER) =>
      ipv4({ src: ATTACKER, dst, proto: 6 }, tcp({ sport, dport: 22, seq: sport, flags: FLAGS.SYN, win: 64240 }));
    // One attempt per packet slot (10 ms apart): twelve connections within a fraction of a second.
    const found = run(Array.from({ length: 12 }, (_, i) => ssh(41000 + i))).events.filter(
      (e) => e.threat?.software?.id === 'ssh-brute-force',
    );
    assert.equal(found.length, 1);
    assert.equal(found[0]?.threat?.software?.name, 'SSH brute force');
    assert.match(found[0]?.bansho.evidence ?? '', new RegExp(`^10 SSH connections to ${SERVER}:22 within 0 s$`));
    const quiet = (packets: number[][]) =>
      run(packets).events.filter((e) => e.threat?.software?.id === 'ssh-brute-force').length;
    assert.equal(quiet(Array.from({ length: 30 }, () => ssh(41000))), 0, 'one connection, its SYN retransmitted');
    assert.equal(quiet(Array.from({ length: 30 }, (_, i) => ssh(41000 + i, `203.0.113.${20 + i}`))), 0, 'a sweep');
    assert.equal(quiet(Array.from({ length: 9 }, (_, i) => ssh(41000 + i))), 0, 'nine are not enough');
  });

  test("a server's failed-login replies to one source are FTP or SMTP AUTH brute force, once", () => {
    const reply = (sport: number, text: string | Buffer, seq: number, dst = ATTACKER) =>
      ipv4(
        { src: SERVER, dst, proto: 6 },
        tcp({ sport, dport: 40000 + (seq % 3), seq, ack: 1, flags: FLAGS.PSH | FLAGS.ACK, payload: text }),
      );
    const guessing = (packets: number[][]) =>
      run(packets).events.filter((e) =>
        /^(ftp|smtp-auth|mailbox|database)-brute-force$/.test(e.threat?.software?.id ?? ''),
      );
    const ftp = guessing(Array.from({ length: 7 }, (_, i) => reply(21, '530 Login incorrect.\r\n', 100 + i * 22)));
    assert.equal(ftp.length, 1);
    assert.equal(ftp[0]?.threat?.software?.id, 'ftp-brute-force');
    assert.equal(ftp[0]?.threat?.software?.name, 'FTP brute force');
    assert.equal(ftp[0]?.source.ip, ATTACKER, 'the source is the client that guessed, not the server that replied');
    assert.equal(ftp[0]?.bansho.evidence, `5 failed FTP logins (530) at ${SERVER}:21 within 0 s`);
    const smtp = guessing(
      Array.from({ length: 5 }, (_, i) => reply(587, '535 5.7.8 Error: authentication failed\r\n', i * 50)),
    );
    assert.deepEqual(
      smtp.map((e) => [e.threat?.software?.id, e.rule?.id]),
      [['smtp-auth-brute-force', 'monitor-smtp-auth-brute-force']],
    );
    const mailbox = guessing([
      ...Array.from({ length: 5 }, (_, i) => reply(110, '-ERR [AUTH] Authentication failed.\r\n', i * 40)),
      ...Array.from({ length: 5 }, (_, i) =>
        reply(143, `a${i} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`, i * 60),
      ),
    ]);
    assert.deepEqual(
      mailbox.map((e) => [e.threat?.software?.id, e.rule?.id]),
      [
        ['mailbox-brute-force', 'monitor-pop3-brute-force'],
        ['mailbox-brute-force', 'monitor-imap-brute-force'],
      ],
    );
    // The databases' refusals, as MySQL and PostgreSQL send them (PostgreSQL's after an Authentication message).
    const mysqlDenied = (seq: number) => {
      const body = Buffer.concat([
        Buffer.from([0xff, 0x15, 0x04]),
        Buffer.from("#28000Access denied for user 'root'@'x'"),
      ]);
      return reply(3306, Buffer.concat([Buffer.from([body.length, 0, 0, 2]), body]), seq);
    };
    const pgMessage = (type: string, body: Buffer) => {
      const head = Buffer.alloc(5);
      head.write(type, 0, 'latin1');
      head.writeUInt32BE(body.length + 4, 1);
      return Buffer.concat([head, body]);
    };
    const pgRefused = (code: string, seq: number) =>
      reply(
        5432,
        Buffer.concat([
          pgMessage('R', Buffer.from([0, 0, 0, 0])),
          pgMessage(
            'E',
            Buffer.from(`SFATAL\0VFATAL\0C${code}\0Mpassword authentication failed for user "postgres"\0\0`, 'latin1'),
          ),
        ]),
        seq,
      );
    const databases = guessing([
      ...Array.from({ length: 5 }, (_, i) => mysqlDenied(i * 90)),
      ...Array.from({ length: 5 }, (_, i) => pgRefused('28P01', i * 110)),
    ]);
    assert.deepEqual(
      databases.map((e) => [e.threat?.software?.id, e.rule?.id, e.bansho.evidence]),
      [
        [
          'database-brute-force',
          'monitor-mysql-brute-force',
          `5 failed MySQL logins (error 1045) at ${SERVER}:3306 within 0 s`,
        ],
        [
          'database-brute-force',
          'monitor-postgresql-brute-force',
          `5 failed PostgreSQL logins (28P01) at ${SERVER}:5432 within 0 s`,
        ],
      ],
    );
    assert.equal(
      guessing(Array.from({ length: 9 }, (_, i) => pgRefused('28000', i * 110))).length,
      0,
      "PostgreSQL's other refusals (no such role, no pg_hba entry)",
    );
    const other = (port: number, text: string) =>
      guessing(Array.from({ length: 9 }, (_, i) => reply(port, text, i * 70))).length;
    assert.equal(other(110, '-ERR no such message\r\n'), 0, "POP3's other errors");
    assert.equal(other(143, '* NO [AUTHENTICATIONFAILED] x\r\n'), 0, 'an untagged line');
    assert.equal(other(143, 'a1 NO [TRYCREATE] no such mailbox\r\n'), 0, "IMAP's other refusals");
    assert.equal(
      guessing(Array.from({ length: 4 }, (_, i) => reply(21, '530 no\r\n', i * 10))).length,
      0,
      'four are not enough',
    );
    assert.equal(
      guessing(Array.from({ length: 9 }, () => reply(21, '530 no\r\n', 7))).length,
      0,
      'one reply, retransmitted',
    );
    assert.equal(
      guessing(Array.from({ length: 9 }, (_, i) => reply(21, '530 no\r\n', i * 10, `198.51.100.${20 + i}`))).length,
      0,
      'one failure each from many clients',
    );
    assert.equal(
      guessing(Array.from({ length: 9 }, (_, i) => reply(21, '230 Login successful.\r\n', i * 30))).length,
      0,
      'logins that succeed',
    );
    assert.equal(
      guessing(
        Array.from({ length: 9 }, (_, i) => reply(25, '530 5.7.0 Must issue a STARTTLS command first\r\n', i * 60)),
      ).length,
      0,
      "SMTP's 530 is no failed login",
    );
  });

  test('failed logins behind a hole in the capture are counted when the client acknowledges past it, once each', () => {
    // One FTP control connection: seven 530 replies, the first one never captured, so the other
    // six wait behind the hole until the client's ACK (which proves it received them) gives the
    // hole up; then they are read and counted for the client, not for the ACK's sender. A
    // retransmission of them all after that counts nothing more.
    const line = Buffer.from('530 Login incorrect.\r\n');
    const from = (src: string, dst: string, sport: number, dport: number, seq: number, ack: number, payload?: Buffer) =>
      ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, seq, ack, flags: FLAGS.PSH | FLAGS.ACK, payload }));
    const server = (i: number) => from(SERVER, ATTACKER, 21, 40500, 1000 + i * line.length, 1, line);
    const packets = [
      ...Array.from({ length: 6 }, (_, i) => server(i + 1)),
      from(ATTACKER, SERVER, 40500, 21, 1, 1000 + 7 * line.length),
      ...Array.from({ length: 6 }, (_, i) => server(i + 1)),
    ];
    const found = run(packets).events.filter((e) => e.threat?.software?.id === 'ftp-brute-force');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.source.ip, ATTACKER);
    assert.equal(found[0]?.bansho.evidence, `5 failed FTP logins (530) at ${SERVER}:21 within 0 s`);
  });

  test('a sweep of one port over many hosts is a horizontal port scan', () => {
    const hosts = Array.from({ length: 25 }, (_, i) => `203.0.113.${i + 1}`);
    const { events } = run(hosts.map((h) => probe(445, FLAGS.SYN, h)));
    const scans = events.filter((e) => e.threat?.software?.id === 'port-scan');
    assert.equal(scans.length, 1);
    assert.ok(scans[0]!.rule && scans[0]!.bansho.evidence?.includes('port 445 on 20 hosts'));
  });

  test('a UDP scan is named as one', () => {
    const ports = Array.from({ length: 25 }, (_, i) => 2000 + i);
    const { events } = run(ports.map((p) => ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp(5353, p, ''))));
    assert.equal(events.find((e) => e.threat?.software?.id === 'port-scan')?.rule?.id, 'monitor-port-scan-udp');
  });

  test("a DNS server answering clients' many ephemeral ports is no UDP scan", () => {
    const ports = Array.from({ length: 40 }, (_, i) => 40000 + i);
    const packets = ports.flatMap((p) => [
      ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp(p, 53, 'query')),
      ipv4({ src: SERVER, dst: ATTACKER, proto: 17 }, udp(53, p, 'answer')),
    ]);
    assert.deepEqual(threats(run(packets).events), []);
  });

  test('datagrams from port 53 that answer nothing are still probes (nmap -g 53)', () => {
    const ports = Array.from({ length: 25 }, (_, i) => 2000 + i);
    const { events } = run(ports.map((p) => ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp(53, p, ''))));
    assert.equal(events.find((e) => e.threat?.software?.id === 'port-scan')?.rule?.id, 'monitor-port-scan-udp');
  });

  test('a few connections to a few ports are no scan', () => {
    const { events } = run([80, 443, 22, 80, 443].map((p) => probe(p, FLAGS.SYN)));
    assert.deepEqual(threats(events), []);
  });

  test('a SYN flood on one port, from many spoofed sources, is a syn-flood event', () => {
    const packets = Array.from({ length: 150 }, (_, i) =>
      ipv4(
        { src: `10.${i % 7}.${i % 11}.${i % 13}`, dst: SERVER, proto: 6 },
        tcp({ sport: 1024 + i, dport: 80, seq: i, flags: FLAGS.SYN }),
      ),
    );
    const { events } = run(packets);
    const floods = events.filter((e) => e.threat?.software?.id === 'syn-flood');
    assert.equal(floods.length, 1);
    assert.equal(floods[0]!.destination?.port, 80);
  });

  test('SQL Slammer: a 376-byte datagram to UDP 1434 starting 0x04 is named by the datagram rule', () => {
    const payload = new Uint8Array(376).fill(0x01);
    payload[0] = 0x04;
    const { events } = run([ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp(1434, 1434, payload))]);
    assert.deepEqual(threats(events), ['sql-slammer']);
    const notSlammer = new Uint8Array(376).fill(0x01);
    notSlammer[0] = 0x02;
    assert.deepEqual(
      threats(run([ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp(1434, 1434, notSlammer))]).events),
      [],
    );
  });

  test('an NTP monlist query is named, and only logged: its source may be the forged victim', () => {
    const monlist = new Uint8Array(48);
    monlist.set([0x17, 0x00, 0x03, 0x2a]);
    const { events } = run([ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp(40000, 123, monlist))]);
    assert.deepEqual(threats(events), ['ntp-monlist']);
    assert.ok(events.every((e) => e.bansho.ban === undefined));
    const timeQuery = new Uint8Array(48);
    timeQuery[0] = 0xe3;
    assert.deepEqual(
      threats(run([ipv4({ src: ATTACKER, dst: SERVER, proto: 17 }, udp(40000, 123, timeQuery))]).events),
      [],
    );
  });

  test('Slammer split into IP fragments, last fragment first, is reassembled and still named', () => {
    const payload = new Uint8Array(376).fill(0x01);
    payload[0] = 0x04;
    const datagram = udp(1434, 1434, payload);
    const fragment = (offset: number, more: boolean) =>
      ipv4(
        { src: ATTACKER, dst: SERVER, proto: 17, id: 0x4242, fragOffset: offset, moreFragments: more },
        datagram.slice(offset, more ? offset + 200 : undefined),
      );
    const { events } = run([fragment(200, false), fragment(0, true)]);
    assert.deepEqual(threats(events), ['sql-slammer']);
    // One fragment alone is no datagram to judge.
    assert.deepEqual(threats(run([fragment(0, true)]).events), []);
  });
});
