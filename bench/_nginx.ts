/**
 * nginx for bench/gateway.ts, one process each (no master, one worker's work), no access log,
 * everything in a temp dir on a free port: as a peer, `proxy_pass` with keep-alive to the
 * upstream; as the upstream, a static 1 KB file (the cheapest honest site: it leaves the
 * shared cores to what is measured). Null when nginx is not installed (Debian:
 * `apt-get install nginx-light`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tracked } from './_children.js';

export function nginxBinary(): string | null {
  for (const bin of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(bin, ['-v'], { encoding: 'utf8' }).error === undefined) return bin;
  }
  return null;
}

/**
 * nginx `proxy_pass` to the upstream on `upstreamPort`; `workers` > 1: a master and that many
 * worker processes, as nginx runs in production (`reuseport`: a listening socket per worker,
 * the kernel spreading connections over them, rather than one socket they all accept on).
 */
export function startNginx(
  bin: string,
  dir: string,
  port: number,
  upstreamPort: number,
  workers = 1,
  reuseport = false,
): ChildProcess {
  return startWith(
    bin,
    dir,
    `upstream site { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port}${reuseport ? ' reuseport' : ''};
    location / {
      proxy_pass http://site;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }`,
    workers,
  );
}

/** nginx serving one page of `size` bytes for every path and method. */
export function startNginxStatic(bin: string, dir: string, port: number, size: number): ChildProcess {
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www', 'page.html'), Buffer.alloc(size, 'a'));
  return startWith(
    bin,
    dir,
    `server {
    listen 127.0.0.1:${port};
    # A POST (the upload through the gateway) gets the page too, its body read and dropped.
    error_page 405 =200 $uri;
    client_max_body_size 0;
    location / { root ${join(dir, 'www')}; try_files /page.html =404; default_type text/html; }
  }`,
  );
}

function startWith(bin: string, dir: string, servers: string, workers = 1): ChildProcess {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process ${workers > 1 ? 'on' : 'off'};
worker_processes ${workers};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  # As node's servers: a keep-alive connection is not closed after 1000 requests.
  keepalive_requests 10000000;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  ${servers}
}
`,
  );
  return tracked(spawn(bin, ['-p', dir, '-c', conf], { stdio: 'ignore' }));
}
