import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProxyHeader } from '../../src/gateway/proxyProtocol.js';
import { ipv4Addresses, proxyV2 } from './helpers.js';

describe('PROXY protocol headers', () => {
  it('reads version 1 for IPv4, IPv6 and UNKNOWN, leaving what follows', () => {
    const line = 'PROXY TCP4 192.0.2.7 10.0.0.1 51234 80\r\n';
    assert.deepEqual(parseProxyHeader(Buffer.from(`${line}GET / HTTP/1.1\r\n`)), {
      kind: 'header',
      length: line.length,
      client: { ip: '192.0.2.7', port: 51234 },
    });
    assert.deepEqual(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::7 2001:db8::1 443 8443\r\n')), {
      kind: 'header',
      length: 45,
      client: { ip: '2001:db8::7', port: 443 },
    });
    assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { kind: 'header', length: 15, client: null });
  });

  it('reads version 2: PROXY over IPv4 and IPv6 with TLVs after the addresses, and LOCAL', () => {
    const v4 = proxyV2(
      1,
      0x11,
      Buffer.concat([ipv4Addresses('198.51.100.9', '10.0.0.1', 40000, 443), Buffer.from('0300040a0b0c0d', 'hex')]),
    );
    assert.deepEqual(parseProxyHeader(Buffer.concat([v4, Buffer.from('\x16\x03\x01')])), {
      kind: 'header',
      length: v4.length,
      client: { ip: '198.51.100.9', port: 40000 },
    });
    const six = Buffer.alloc(36);
    Buffer.from('20010db8000000000000000000000007', 'hex').copy(six, 0);
    six.writeUInt16BE(5555, 32);
    assert.deepEqual(parseProxyHeader(proxyV2(1, 0x21, six)), {
      kind: 'header',
      length: 52,
      client: { ip: '2001:db8::7', port: 5555 },
    });
    const mapped = Buffer.alloc(36);
    Buffer.from('00000000000000000000ffffc0000207', 'hex').copy(mapped, 0);
    assert.equal(
      (parseProxyHeader(proxyV2(1, 0x21, mapped)) as { client: { ip: string } }).client.ip,
      '::ffff:192.0.2.7',
    );
    assert.deepEqual(parseProxyHeader(proxyV2(0, 0x11, ipv4Addresses('10.0.0.2', '10.0.0.1', 1, 2))), {
      kind: 'header',
      length: 28,
      client: null,
    });
  });

  it('waits for the rest of a header that arrives in pieces, whatever the version', () => {
    const v1 = Buffer.from('PROXY TCP4 192.0.2.7 10.0.0.1 51234 80\r\n');
    const v2 = proxyV2(1, 0x11, ipv4Addresses('192.0.2.7', '10.0.0.1', 1, 2));
    for (const whole of [v1, v2])
      for (let cut = 1; cut < whole.length; cut++)
        assert.deepEqual(parseProxyHeader(whole.subarray(0, cut)), { kind: 'incomplete' }, `${whole.length}/${cut}`);
  });

  it('refuses what is no header, and headers too long, malformed or of another version', () => {
    const refused = (bytes: Buffer | string, reason: RegExp) => {
      const r = parseProxyHeader(Buffer.from(bytes as string));
      assert.equal(r.kind, 'invalid', String(bytes));
      assert.match((r as { reason: string }).reason, reason);
    };
    refused('GET / HTTP/1.1\r\n', /does not start with a PROXY/);
    refused('\x16\x03\x01\x02\x00', /does not start with a PROXY/);
    refused('PROXY TCP4 192.0.2.7 10.0.0.1 51234\r\n', /two addresses and two ports/);
    refused('PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n', /no IPv4 source/);
    refused('PROXY TCP4 192.0.2.7 10.0.0.1 99999 80\r\n', /source port/);
    refused(`PROXY TCP4 ${'1'.repeat(120)}`, /longer than 107/);
    const v3 = proxyV2(1, 0x11, ipv4Addresses('192.0.2.7', '10.0.0.1', 1, 2));
    v3[12] = 0x31;
    refused(v3, /version 3/);
    refused(proxyV2(1, 0x11, Buffer.alloc(4)), /too short for IPv4/);
    const huge = proxyV2(1, 0x11, Buffer.alloc(0));
    huge.writeUInt16BE(60_000, 14);
    refused(huge, /too long/);
  });
});
