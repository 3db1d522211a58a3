import pg from 'pg';

/**
 * Throwaway PostgreSQL databases for tests: `bansho_test_<pid>_<n>` on the server at
 * BANSHO_TEST_PG (default the local one, trust auth), dropped after. `pgSkip` is the reason to
 * skip a suite when no server answers (node:test's `skip` option takes it as is).
 */
const ADMIN_URL = process.env.BANSHO_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let counter = 0;

async function reachable(): Promise<string | false> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return false;
  } catch (err) {
    return `PostgreSQL not reachable at ${ADMIN_URL} (${(err as Error).message}): start it (.ci/run does) or set BANSHO_TEST_PG`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const pgSkip: string | false = await reachable();

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `bansho_test_${process.pid}_${++counter}`;
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
