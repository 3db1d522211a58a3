/**
 * A process that spills one event and one ban for the database named in argv[2], then exits:
 * what a gateway leaves behind when it dies while its store would not take writes.
 */

import { encodeEvent } from '../../src/store/encodedEvent.js';
import { SpillFile } from '../../src/store/sqlite/spill.js';
import { storeBan, storeEvent } from './records.js';

const db = process.argv[2] as string;
new SpillFile(db).append({
  events: [encodeEvent(storeEvent('spilled-1', '192.0.2.44'))],
  bans: [storeBan('192.0.2.44/32')],
});
process.stdout.write(`${process.pid}\n`);
