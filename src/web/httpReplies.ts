import type { IncomingMessage, ServerResponse } from 'node:http';
import { DashboardError } from './dashboardError.js';

/** Request bodies the dashboard takes: a login or a ban change, never more. */
const MAX_BODY = 8 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(text);
}

export function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { Location: location, ...(cookie ? { 'Set-Cookie': cookie } : {}) });
  res.end();
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof DashboardError) {
    const status = {
      E_DASHBOARD_BAD_REQUEST: 400,
      E_DASHBOARD_AUTH: 401,
      E_DASHBOARD_CSRF: 403,
      E_DASHBOARD_NOT_FOUND: 404,
      E_DASHBOARD_ALLOWLISTED: 409,
      E_DASHBOARD_TOO_LARGE: 413,
    }[err.code as string];
    if (status !== undefined) {
      sendJson(res, status, { error: err.code, message: err.message });
      return;
    }
  }
  sendJson(res, 500, { error: 'E_DASHBOARD_INTERNAL', message: 'internal error (see the log)' });
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new DashboardError('E_DASHBOARD_TOO_LARGE', `request bodies are at most ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON object body of string fields (ban changes). */
export async function readJsonFields(req: IncomingMessage): Promise<Record<string, string>> {
  let value: unknown;
  try {
    value = JSON.parse(await readBody(req));
  } catch {
    throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'the body is not a JSON object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
