import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';

export class GatewayError extends Error {
  readonly code = 'E_GATEWAY';
}

/** A certificate chain and its key, PEM. */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export function readCredentials(certFile: string, keyFile: string): TlsCredentials {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new GatewayError(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  };
  const credentials = { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
  try {
    createSecureContext(credentials);
  } catch (err) {
    throw new GatewayError(`cannot use the TLS certificate ${certFile} with key ${keyFile}: ${(err as Error).message}`);
  }
  return credentials;
}

export async function listenOn(
  server: Server | HttpsServer,
  { host, port }: { host: string; port: number },
  chooseWith: string,
): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'EADDRINUSE'
        ? 'the address is in use'
        : code === 'EACCES'
          ? 'permission denied'
          : (err as Error).message;
    throw new GatewayError(`cannot listen on ${host}:${port}: ${why} (choose another with ${chooseWith})`);
  }
}

export function urlOf(scheme: 'http' | 'https', a: AddressInfo): string {
  return `${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}
