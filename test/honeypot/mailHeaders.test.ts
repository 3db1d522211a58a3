import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeaderValue, readMailHeaders } from '../../src/honeypot/mailHeaders.js';

describe('mail headers of a quarantined message', () => {
  it('reads subject, Message-ID, From and X-Mailer, unfolding and stopping at the body', () => {
    const data =
      'From: "Versand" <versand@angebot.example>\r\n' +
      'Subject: =?ISO-8859-1?Q?G=FCnstige_Medikamente_ohne_Rezept?=\r\n' +
      '  =?ISO-8859-1?Q?_=96_jetzt_bestellen!?=\r\n' +
      'Message-ID: <20030203.4711@angebot.example>\r\n' +
      'X-Mailer: The Bat! (v1.62r)\r\n' +
      '\r\n' +
      'Subject: not a header\r\n';
    assert.deepEqual(readMailHeaders(data), {
      subject: 'Günstige Medikamente ohne Rezept – jetzt bestellen!',
      messageId: '20030203.4711@angebot.example',
      from: '"Versand" <versand@angebot.example>',
      xMailer: 'The Bat! (v1.62r)',
    });
  });

  it('decodes B and Q words in their charset, raw UTF-8 and raw latin1', () => {
    assert.equal(decodeHeaderValue('=?utf-8?B?R3LDvMOfZQ==?= aus =?koi8-r?B?7cXE18XE?='), 'Grüße aus Медвед');
    assert.equal(decodeHeaderValue(Buffer.from('Grüße', 'utf8').toString('latin1')), 'Grüße');
    assert.equal(decodeHeaderValue(Buffer.from('Grüße', 'latin1').toString('latin1')), 'Grüße');
    assert.equal(decodeHeaderValue('=?x-unknown?Q?abc?='), '=?x-unknown?Q?abc?=');
  });

  it('gives nulls for a message without headers and bounds what it reads', () => {
    assert.deepEqual(readMailHeaders('\r\nbody'), { subject: null, messageId: null, from: null, xMailer: null });
    const long = `Subject: ${'x'.repeat(100_000)}\r\n\r\n`;
    assert.equal(readMailHeaders(long).subject?.length, 2000);
  });
});
