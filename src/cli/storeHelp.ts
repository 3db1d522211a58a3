/** `--store`'s help, apart from ./storeOption.ts so a command can list it without loading the stores. */
export const STORE_HELP = 'postgres://… of a fleet (default: BANSHO_STORE, then store: in --config, then --db)';
