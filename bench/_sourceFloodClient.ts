/**
 * The load side of bench/sourceFlood.ts: a balancer that speaks PROXY protocol v1, naming a new
 * client address for every connection. Each connection carries one request and is closed.
 * argv: PORT COUNT CONCURRENCY. Prints `done N` when every connection has ended.
 */
import { connect } from 'node:net';

const [port, count, concurrency] = process.argv.slice(2).map(Number) as [number, number, number];

/** The i-th source: 10.0.0.0/8 and then 100.64.0.0/10 — never the gateway's own loopback. */
function source(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** A third ban-worthy CONNECTs, a third absolute-form probes (refused, scored), a third scored attacks that are only logged. */
function request(i: number): string {
  switch (i % 3) {
    case 0:
      return 'CONNECT mail.example:25 HTTP/1.1\r\nHost: mail.example:25\r\n\r\n';
    case 1:
      return `GET http://evil.example/${i} HTTP/1.1\r\nHost: evil.example\r\n\r\n`;
    default:
      return `GET /search?q=${i}+union+select HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
  }
}

let next = 0;
let ended = 0;
function one(): void {
  if (next >= count) return;
  const i = next++;
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.once('connect', () =>
    socket.write(`PROXY TCP4 ${source(i)} 127.0.0.1 ${1024 + (i % 60000)} 80\r\n${request(i)}`),
  );
  socket.once('close', () => {
    ended++;
    if (ended === count) process.stdout.write(`done ${ended}\n`);
    else one();
  });
}
for (let k = 0; k < concurrency; k++) one();
