// The reference bare proxy (./_referenceProxy.mjs) as N processes on one port, the way
// `serve --workers N` runs bansho: node:cluster, with the primary accepting each connection and
// handing it to a worker in turn ('rr', node's default on Linux) or every worker accepting on
// the shared socket itself ('none'). 'none-single' is 'none' with libuv's UV_TCP_SINGLE_ACCEPT,
// which makes a worker take one connection per wake-up so the others get a turn. Usage, from the
// project root: node bench/_referenceCluster.mjs N rr|none|none-single LISTEN_PORT UPSTREAM_URL
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

const [workers, policy, port, upstream] = [Number(process.argv[2]), process.argv[3], process.argv[4], process.argv[5]];
cluster.schedulingPolicy = policy === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
cluster.setupPrimary({ exec: fileURLToPath(new URL('./_referenceProxy.mjs', import.meta.url)), args: [port, upstream] });
const env = policy === 'none-single' ? { UV_TCP_SINGLE_ACCEPT: '1' } : {};
let up = 0;
cluster.on('listening', () => {
  if (++up === workers) console.log(`reference cluster (${policy}) of ${workers} up on 127.0.0.1:${port}`);
});
for (let i = 0; i < workers; i++) cluster.fork(env);
const stop = () => {
  for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
