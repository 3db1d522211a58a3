import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptWebSocketEcho } from './websocketEcho.js';

/**
 * The demo's web site — the thing bansho guards: a few pages, a guestbook form (POST), and a
 * WebSocket echo. It knows nothing of bansho; the gateway sits in front of it.
 */

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}nav a{margin-right:1rem}code{background:#eee;padding:0 .2rem}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title} — demo site</title><style>${STYLE}</style>
<nav><a href="/">Home</a><a href="/about">About</a><a href="/guestbook">Guestbook</a><a href="/echo">Echo</a></nav>
<h1>${title}</h1>${body}</html>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const entries: Array<{ name: string; message: string }> = [
  { name: 'admin', message: 'Welcome to the server administration room.' },
];

const PAGES: Record<string, () => string> = {
  '/': () =>
    page(
      'Server administration room',
      '<p>A small site behind <b>bansho</b>, the guardhouse. Browse it as usual: every request passes through the gateway. Requests that try to use this server as a stepping stone to somewhere else are answered <code>400 Bad Request</code>, and their source is shut out.</p>',
    ),
  '/about': () =>
    page(
      'About',
      '<p>In February 2003 a worm called PrettyPark asked a small web server to relay it to an IRC server and a mail server. This demo replays that day.</p>',
    ),
  '/guestbook': () =>
    page(
      'Guestbook',
      `<form method="post" action="/guestbook"><p><input name="name" placeholder="name" required> <input name="message" placeholder="message" size="40" required> <button>Sign</button></p></form><ul>${entries
        .map((e) => `<li><b>${escapeHtml(e.name)}</b>: ${escapeHtml(e.message)}</li>`)
        .join('')}</ul>`,
    ),
  '/echo': () =>
    page(
      'WebSocket echo',
      `<p><input id="m" value="hello through the guardhouse" size="40"> <button id="b">Send</button></p><pre id="o"></pre>
<script>const o=document.getElementById('o');const ws=new WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+'/ws');
ws.onopen=()=>o.textContent+='connected\\n';ws.onmessage=(e)=>o.textContent+='echo: '+e.data+'\\n';
document.getElementById('b').onclick=()=>ws.send(document.getElementById('m').value);</script>`,
    ),
};

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'POST' && path === '/guestbook') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (body.length < 10_000) body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      entries.push({ name: (form.get('name') ?? '').slice(0, 40), message: (form.get('message') ?? '').slice(0, 200) });
      if (entries.length > 50) entries.shift();
      res.writeHead(303, { location: '/guestbook' });
      res.end();
    });
    return;
  }
  const render = PAGES[path];
  const html = render ? render() : page('Not found', '<p>No such page.</p>');
  res.writeHead(render ? 200 : 404, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}

/** Start the demo site on `host:port` (port 0 = any free port). */
export async function startDemoSite(host = '127.0.0.1', port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').startsWith('/ws')) acceptWebSocketEcho(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { server, url: `http://${a.address}:${a.port}` };
}
