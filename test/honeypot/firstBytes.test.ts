import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { looksLikeTls, tlsServerName } from '../../src/honeypot/firstBytes.js';
import { clientHelloFor } from './helpers.js';

describe('first bytes of a silent tunnel', () => {
  it("reads the SNI from node's own ClientHello", async () => {
    const hello = await clientHelloFor('target.example.org');
    assert.ok(looksLikeTls(hello));
    assert.equal(tlsServerName(hello), 'target.example.org');
  });

  it('reads it from a hello cut short after the extension, and gives null for a hello cut before it', async () => {
    const hello = await clientHelloFor('a.example');
    const at = hello.indexOf(Buffer.from('a.example'));
    assert.equal(tlsServerName(hello.subarray(0, at + 'a.example'.length)), 'a.example');
    assert.equal(tlsServerName(hello.subarray(0, at + 3)), null);
  });

  it('gives null for plain text and never throws on any bytes', () => {
    assert.equal(tlsServerName(Buffer.from('EHLO x\r\n')), null);
    assert.equal(looksLikeTls(Buffer.from('GET / HTTP/1.1')), false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, asHandshake) => {
        const b = Buffer.from(bytes);
        if (asHandshake && b.length > 5) {
          b[0] = 0x16;
          b[1] = 0x03;
          b[5] = 0x01;
        }
        const name = tlsServerName(b);
        assert.ok(name === null || /^[a-z0-9._-]{1,253}$/.test(name));
      }),
      { numRuns: 2000 },
    );
  });
});
