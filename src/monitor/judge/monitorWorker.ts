/**
 * The worker thread of `bansho monitor`: it loads the rules and catalog, then judges batches
 * of requests, datagrams, ended connections and alerts in capture order, as a LocalJudge
 * would on the main thread. Flows come back as connection ids: their summaries and
 * packet records stay with the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prebuiltCatalog, prebuiltEngine } from '../../catalog/prebuilt.js';
import type { SecurityEvent } from '../../events/securityEvent.js';
import { type JudgedConnection, LocalJudge } from './judge.js';
import type { JudgeBatch, JudgeItem, JudgeReply, JudgeSetup } from './protocol.js';

if (parentPort) {
  const port = parentPort;
  const setup = workerData as JudgeSetup;
  // The build's copy of the packs when it is there: the YAML reader and the schemas are
  // loaded only without it. src/crs only when asked for: it sets V8's regex flags for the whole process.
  const catalogModule = () => import('../../catalog/index.js');
  const engine =
    setup.crs === null
      ? (prebuiltEngine(setup.lists) ?? (await catalogModule()).loadEngine({ lists: setup.lists }))
      : (await import('../../crs/index.js')).loadPacksWithCrs(setup.lists, setup.crs);
  const catalog = prebuiltCatalog() ?? (await catalogModule()).loadCatalog();
  let out: Array<SecurityEvent | number> = [];
  const judge = new LocalJudge<JudgedConnection>({
    engine,
    threatName: (id) => catalog.get(id)?.name,
    allFlows: setup.allFlows,
    behaviours: setup.behaviours,
    trustedProxies: setup.trustedProxies,
    onEvent: (event) => out.push(event),
    onFlow: (conn) => out.push(conn.id),
  });
  port.on('message', (batch: JudgeBatch) => {
    for (const item of batch.items) judgeItem(judge, item, batch.bytes);
    const reply: JudgeReply = { seq: batch.seq, out: JSON.stringify(out), counts: judge.counts };
    out = [];
    port.postMessage(reply);
  });
}

function judgeItem(judge: LocalJudge<JudgedConnection>, item: JudgeItem, bytes: Uint8Array): void {
  switch (item[0]) {
    case 'request': {
      const [, id, start, clientIp, clientPort, serverIp, serverPort, at, length, malformed, status, time] = item;
      const conn = {
        id,
        start,
        client: { ip: clientIp, port: clientPort },
        server: { ip: serverIp, port: serverPort },
      };
      judge.request(conn, { raw: bytes.subarray(at, at + length), malformed, status, time });
      return;
    }
    case 'datagram': {
      const [, sourceIp, sourcePort, destinationIp, destinationPort, time, frame, at, length] = item;
      judge.datagram({
        source: { ip: sourceIp, port: sourcePort },
        destination: { ip: destinationIp, port: destinationPort },
        time,
        frame,
        payload: bytes.subarray(at, at + length),
      });
      return;
    }
    case 'closed':
      judge.closed({ id: item[1], start: 0, client: NO_ENDPOINT, server: NO_ENDPOINT });
      return;
    case 'alert':
      judge.alert(item[1]);
      return;
  }
}

/** A closed connection is judged by its id alone. */
const NO_ENDPOINT = { ip: '', port: 0 };
