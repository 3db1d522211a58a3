/** The SQLite store, as one import: opening a database, its event store and its ban store. */
export { SqliteBanStore } from './banStore.js';
export { SqliteEventStore } from './eventStore.js';
export { openSqlite } from './openSqlite.js';
export { SqliteStore } from './store.js';
