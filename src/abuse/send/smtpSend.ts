import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '../../config/abuseConfig.js';

export class SmtpError extends Error {
  readonly code = 'E_ABUSE_SMTP';
}

export interface Delivery {
  readonly response: string;
  readonly accepted: readonly string[];
}

/**
 * Hand one finished message to the configured SMTP server with nodemailer: STARTTLS required
 * unless the config says `tls` (TLS from the start) or `none` (a local relay), a password
 * only from the environment, every stage bounded by the timeout. The message is sent as it
 * is (`raw`), so what `--dry-run` showed is what goes out.
 */
export async function sendRaw(
  smtp: SmtpConfig,
  envelope: { from: string; to: string },
  raw: string,
): Promise<Delivery> {
  let password: string | undefined;
  if (smtp.auth?.passwordEnv) {
    password = process.env[smtp.auth.passwordEnv];
    if (password === undefined)
      throw new SmtpError(`abuse.smtp.password_env names ${smtp.auth.passwordEnv}, which is not set`);
  }
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.auth ? { auth: { user: smtp.auth.user, ...(password !== undefined ? { pass: password } : {}) } } : {}),
    ...(smtp.caFile ? { tls: { ca: readFileSync(smtp.caFile) } } : {}),
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
  });
  try {
    const info = await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
    const accepted = (info.accepted ?? []).map(String);
    if (!accepted.includes(envelope.to))
      throw new SmtpError(`${smtp.host} did not accept ${envelope.to}: ${info.response ?? 'no response'}`);
    return { response: info.response ?? '', accepted };
  } catch (err) {
    if (err instanceof SmtpError) throw err;
    throw new SmtpError(`sending through ${smtp.host}:${smtp.port} failed: ${(err as Error).message}`);
  } finally {
    transport.close();
  }
}
