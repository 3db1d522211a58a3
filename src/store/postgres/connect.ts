import pg from 'pg';

export class PgStoreError extends Error {
  constructor(
    readonly code: 'E_STORE_URL' | 'E_STORE_MIGRATE' | 'E_STORE_UNREACHABLE',
    message: string,
  ) {
    super(message);
  }
}

/** bigint (int8) and count(*) as numbers: ms times and seqs stay far below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface ConnectOptions {
  /** Connections kept at most. */
  readonly max?: number;
  /** How long a new connection may take before the attempt fails. */
  readonly connectTimeoutMs?: number;
  /** How long one query may run (client side) before it fails: a slow database is a down one. */
  readonly queryTimeoutMs?: number;
  readonly onError?: (err: Error) => void;
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export function connectionConfig(url: string, options: ConnectOptions = {}): pg.ClientConfig {
  if (!isPostgresUrl(url)) throw new PgStoreError('E_STORE_URL', `not a postgres:// URL: ${redactUrl(url)}`);
  return {
    connectionString: url,
    types,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
    application_name: 'bansho',
  };
}

/** A pool whose idle connections' errors (the server restarted) are reported, never thrown. */
export function openPool(url: string, options: ConnectOptions = {}): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(url, options), max: options.max ?? 4 });
  pool.on('error', (err) => options.onError?.(err));
  return pool;
}

/** A single connection (LISTEN needs one of its own), with its errors reported, never thrown. */
export function openClient(url: string, options: ConnectOptions = {}): pg.Client {
  const client = new pg.Client(connectionConfig(url, options));
  client.on('error', (err) => options.onError?.(err));
  return client;
}

/**
 * Use a connection of the pool for several statements. While it is out of the pool, the pool's
 * own error listener is off it: a connection reset between two statements would be an unhandled
 * 'error' (a crash) without the one put on here; the next statement reports it instead.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = (): void => undefined;
  client.on('error', ignore);
  try {
    return await work(client);
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

/** Run `work` in one transaction on a connection of the pool. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, (client) => transaction(client, work));
}

async function transaction<T>(client: pg.PoolClient, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
