import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bansho } from '../cli/run.js';
import { tempDir } from '../gateway/helpers.js';
import { ABUSE_DESK, loopbackRegistry, replayThrough } from './abuseWorld.js';

/** The bulletin asks a registry only on `--abuse-lookup`; otherwise it shows what is cached. */
describe('abuse contacts in the bulletin, looked up on request', () => {
  const tmp = tempDir('bansho-bulletin-lookup-');
  const db = join(tmp.dir, 'bansho.db');
  let world: Awaited<ReturnType<typeof loopbackRegistry>>;

  before(async () => {
    await replayThrough(db);
    world = await loopbackRegistry();
  });
  after(async () => {
    await Promise.all([world.registry.stop(), world.iana.stop()]);
    tmp.cleanup();
  });

  it('asks no registry by default, and shows no contact it does not have', async () => {
    const r = await bansho(['report', '--db', db, '--since', '1d', '--no-origins']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /Abuse contact/);
    assert.equal(world.registry.asked.length + world.iana.asked.length, 0);
  });

  it("looks the incident sources' contacts up by RDAP on --abuse-lookup", async () => {
    const r = await bansho([
      'report',
      '--db',
      db,
      '--since',
      '1d',
      '--no-origins',
      '--abuse-lookup',
      '--rdap-bootstrap',
      world.bootstrapUrl,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `\\*\\*Abuse contact\\.\\*\\* ${ABUSE_DESK} \\(LOOPBACK-DIAL, 127\\.0\\.0\\.0 - 127\\.0\\.0\\.255\\); no report sent\\.`,
      ),
    );
    assert.equal(world.iana.asked.length, 1);
    assert.equal(world.registry.asked.length, 1, 'one answer covers every source in the network');
  });
});
