import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_THRESHOLDS, loadThresholds, ThresholdsError } from '../../src/monitor/detect/thresholds.js';
import { tempDir } from './helpers/run.js';

const tmp = tempDir();
after(tmp.cleanup);

describe('detector thresholds as data', () => {
  test('a YAML file overrides some values and keeps the defaults for the rest', () => {
    const file = join(tmp.dir, 'thresholds.yaml');
    writeFileSync(
      file,
      'portScan:\n  ports: 50\nsynFlood:\n  windowSeconds: 2\nsshBruteForce:\n  connections: 4\nloginGuessing:\n  failures: 3\n',
    );
    const t = loadThresholds(file);
    assert.equal(t.portScan.ports, 50);
    assert.equal(t.portScan.hosts, DEFAULT_THRESHOLDS.portScan.hosts);
    assert.equal(t.synFlood.windowSeconds, 2);
    assert.equal(t.synFlood.syns, DEFAULT_THRESHOLDS.synFlood.syns);
    assert.equal(t.sshBruteForce.connections, 4);
    assert.equal(t.sshBruteForce.windowSeconds, DEFAULT_THRESHOLDS.sshBruteForce.windowSeconds);
    assert.equal(t.loginGuessing.failures, 3);
    assert.equal(t.loginGuessing.windowSeconds, DEFAULT_THRESHOLDS.loginGuessing.windowSeconds);
  });

  test('unknown keys and bad values are refused with the file and the field named', () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'portScan:\n  ports: -3\n  portz: 4\n');
    assert.throws(
      () => loadThresholds(file),
      (err: unknown) =>
        err instanceof ThresholdsError &&
        err.code === 'E_THRESHOLDS' &&
        /bad\.yaml/.test(err.message) &&
        /portScan/.test(err.message),
    );
  });
});
