import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ConnectionShare, SETTLE_MS, surplusOf } from '../../../src/gateway/cluster/connectionShare.js';

describe('a pool worker keeps its share of the connections', () => {
  it('the surplus is what lies above the even split by more than a sixteenth of it (at least 2)', () => {
    assert.equal(surplusOf(42, 22, 2), 8);
    assert.equal(surplusOf(35, 29, 2), 1);
    assert.equal(surplusOf(34, 30, 2), 0);
    assert.equal(surplusOf(5, 1, 2), 0, 'a few connections are left alone');
    assert.equal(surplusOf(64, 0, 1), 0, 'one process has no share to keep');
    assert.equal(surplusOf(600, 300, 2), 600 - 450 - 28);
    assert.equal(surplusOf(0, 64, 2), 0);
  });

  it('lets go only its surplus until the siblings have told theirs, and counts a closing connection once', () => {
    let now = 0;
    const share = new ConnectionShare(
      () => {},
      () => now,
    );
    const connections = Array.from({ length: 10 }, () => new EventEmitter());
    for (const c of connections) share.opened(c);
    assert.equal(share.held, 10);
    assert.equal(share.release(connections[0] as EventEmitter), false, 'alone until the primary says otherwise');
    share.heard({ others: 0, workers: 2 });
    // 10 against 0: 3 go (the even 5 plus 2), each counted as landed in the sibling meanwhile.
    const gone = connections.filter((c) => share.release(c));
    assert.equal(gone.length, 3);
    assert.equal(share.held, 7);
    for (const c of gone) c.emit('close');
    assert.equal(share.held, 7, 'a connection let go is not uncounted again when it closes');
    connections[9]?.emit('close');
    assert.equal(share.held, 6);
    // Settled, with the sibling's count heard: 6 against 3 is within the share.
    now += SETTLE_MS;
    share.heard({ others: 3, workers: 2 });
    assert.equal(share.release(connections[5] as EventEmitter), false);
  });
});
