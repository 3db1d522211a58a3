import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BanshoProcess, listeningPort, startBansho } from '../../cli/run.js';
import { BAD_REQUEST_HEAD, RecordingUpstream, rawRequest, tempDir, waitFor } from '../helpers.js';

/**
 * Request smuggling: two parsers (ours, the site's) reading one byte stream two ways. The
 * gateway must refuse every ambiguous framing, even when node has been told to be lenient
 * through NODE_OPTIONS, and the smuggled request inside must never reach the site.
 */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n';

const BATTERY: ReadonlyArray<readonly [string, string]> = [
  [
    'CL.TE',
    `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'TE.CL',
    `POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2c\r\n${SMUGGLED}\r\n0\r\n\r\n`,
  ],
  [
    'TE.TE (obfuscated second Transfer-Encoding)',
    `POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'TE with a space before the colon',
    `POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'duplicate Content-Length',
    `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  ],
  ['Content-Length list', `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0, 44\r\n\r\n${SMUGGLED}`],
  [
    'obs-fold in Transfer-Encoding',
    `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'bare LF line endings',
    `POST / HTTP/1.1\nHost: localhost\nContent-Length: 0\nTransfer-Encoding: chunked\n\n0\n\n${SMUGGLED}`,
  ],
  [
    'chunked, identity',
    `POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'Transfer-Encoding: identity',
    `POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: identity\r\n\r\n${SMUGGLED}`,
  ],
  [
    'chunk size with a bad extension',
    `POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0;\x00\r\n\r\n${SMUGGLED}`,
  ],
];

describe('attack: request smuggling, with NODE_OPTIONS=--insecure-http-parser', () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir();
  let gateway: BanshoProcess;
  let port = 0;

  before(async () => {
    const url = await upstream.listen();
    gateway = startBansho(
      ['serve', '--workers', '1', '--upstream', url, '--listen', '127.0.0.1:0', '--db', `${tmp.dir}/s.db`],
      {
        env: { NODE_OPTIONS: '--insecure-http-parser' },
      },
    );
    port = await waitFor('the gateway to listen', () => listeningPort(gateway.output.stderr), 15_000);
  });
  after(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    await upstream.close();
    tmp.cleanup();
  });

  BATTERY.forEach(([name, bytes], i) => {
    it(`refuses ${name}`, async () => {
      const r = await rawRequest(port, `127.0.8.${i + 1}`, bytes);
      assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), `${name}: ${JSON.stringify(r.response.slice(0, 80))}`);
      assert.equal(r.response.split('HTTP/1.1 ').length - 1, 1, 'one answer only');
    });
  });

  it('let nothing of the battery reach the site', () => {
    assert.deepEqual(
      upstream.requests.map((q) => `${q.method} ${q.url}`),
      [],
    );
  });
});
