export { type EncodedEvent, encodeEvent } from './encodedEvent.js';
export { openSqlite, SqliteBanStore, SqliteEventStore } from './sqlite/sqliteStore.js';
export type { Ban, BanStore, EventQuery, EventStore } from './types.js';
