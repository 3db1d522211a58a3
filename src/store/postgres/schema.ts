import { eventKeySql } from '../encodedEvent.js';

/**
 * The PostgreSQL schema, as numbered migrations that only add. Applied at start by every
 * process that opens the store, under an advisory lock (./migrate.ts), so gateways starting at
 * once migrate once. Times are ms since the epoch in bigint columns, as in the SQLite store.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The channel a ban change is announced on (payload: the change's id). */
export const BAN_CHANNEL = 'bansho_bans';

/** Key of the advisory locks: migrations (session), ban writes (transaction). */
export const MIGRATION_LOCK = 0x62616e73;
export const BAN_WRITE_LOCK = 0x62616e74;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events partitioned by month, bans, offences, the ban change log',
    sql: `
    -- Range partitions by month (./partitions.ts creates them ahead); what falls outside them
    -- (an old log analysed today) lands in the default partition. The key includes ts, as a
    -- partitioned table's unique key must: an event's id and time are both its content.
    CREATE TABLE events (
      seq bigserial NOT NULL,
      id text NOT NULL,
      ts bigint NOT NULL,
      action text NOT NULL,
      source_ip text NOT NULL,
      threat_id text,
      rule_id text,
      observer text,
      doc text NOT NULL,
      PRIMARY KEY (ts, id)
    ) PARTITION BY RANGE (ts);
    CREATE TABLE events_default PARTITION OF events DEFAULT;
    -- The dashboard's pages (newest first, by ts then seq) and the report's time range.
    CREATE INDEX events_ts_seq ON events (ts DESC, seq DESC);
    -- The live feed (events after a seq).
    CREATE INDEX events_seq ON events (seq);
    -- A source's events (bansho source, abuse reports, the dashboard's source page).
    CREATE INDEX events_source ON events (source_ip, ts);
    -- Threat trends (the bulletin, the dashboard's threat chart).
    CREATE INDEX events_threat ON events (threat_id, ts) WHERE threat_id IS NOT NULL;

    CREATE TABLE bans (
      target text PRIMARY KEY,
      since bigint NOT NULL,
      until bigint NOT NULL,
      reason text NOT NULL,
      threat_id text,
      offence integer NOT NULL,
      origin text NOT NULL CHECK (origin IN ('auto', 'manual')),
      observer text
    );
    CREATE INDEX bans_until ON bans (until);
    CREATE INDEX bans_since ON bans (since, target);

    -- Offences outlive the bans they caused: a repeat offender's next ban doubles, fleet-wide.
    CREATE TABLE offences (
      target text PRIMARY KEY,
      count integer NOT NULL,
      last bigint NOT NULL
    );

    -- Every change to the ban list, in commit order (writers take an advisory lock first, so
    -- ids commit in the order they are handed out and a reader's cursor never skips a row).
    -- A change shipped from a gateway's journal carries (observer, observer_seq): replayed
    -- after an outage, it is recognised and not applied twice.
    CREATE TABLE ban_changes (
      id bigserial PRIMARY KEY,
      target text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('put', 'remove')),
      since bigint NOT NULL,
      until bigint NOT NULL,
      reason text NOT NULL,
      threat_id text,
      offence integer NOT NULL,
      origin text NOT NULL,
      at bigint NOT NULL,
      observer text,
      observer_seq bigint,
      UNIQUE (observer, observer_seq)
    );
    CREATE INDEX ban_changes_at ON ban_changes (at);

    CREATE TABLE meta (key text PRIMARY KEY, value bigint NOT NULL);
    -- The highest id pruned from ban_changes: a reader whose cursor is below it missed rows.
    INSERT INTO meta (key, value) VALUES ('ban_changes_pruned', 0);
    `,
  },
  {
    version: 2,
    name: 'a ban write in one call: lock, change row, ban, offences, NOTIFY',
    sql: `
    -- One round trip per ban change (a gateway waiting for another's ban waits for these):
    -- the write lock (ids commit in order), the change row keyed for replays, the ban or its
    -- removal, the offence count, and the announcement at commit. Returns the change's id, or
    -- NULL when the key was already applied (or there was no ban to remove).
    CREATE FUNCTION bansho_write_ban(p_kind text, p_target text, p_since bigint, p_until bigint, p_reason text,
      p_threat_id text, p_offence integer, p_origin text, p_at bigint, p_observer text, p_observer_seq bigint)
    RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
      change_id bigint;
      gone bans%ROWTYPE;
    BEGIN
      PERFORM pg_advisory_xact_lock(${BAN_WRITE_LOCK});
      IF p_kind = 'remove' THEN
        DELETE FROM bans WHERE target = p_target RETURNING * INTO gone;
        IF NOT FOUND THEN RETURN NULL; END IF;
        INSERT INTO ban_changes (target, kind, since, until, reason, threat_id, offence, origin, at, observer, observer_seq)
        VALUES (p_target, 'remove', gone.since, 0, gone.reason, gone.threat_id, gone.offence, gone.origin, p_at, p_observer, p_observer_seq)
        ON CONFLICT (observer, observer_seq) DO NOTHING RETURNING id INTO change_id;
      ELSE
        INSERT INTO ban_changes (target, kind, since, until, reason, threat_id, offence, origin, at, observer, observer_seq)
        VALUES (p_target, 'put', p_since, p_until, p_reason, p_threat_id, p_offence, p_origin, p_at, p_observer, p_observer_seq)
        ON CONFLICT (observer, observer_seq) DO NOTHING RETURNING id INTO change_id;
        IF change_id IS NOT NULL THEN
          INSERT INTO bans (target, since, until, reason, threat_id, offence, origin, observer)
          VALUES (p_target, p_since, p_until, p_reason, p_threat_id, p_offence, p_origin, p_observer)
          ON CONFLICT (target) DO UPDATE SET since = excluded.since, until = excluded.until, reason = excluded.reason,
            threat_id = excluded.threat_id, offence = excluded.offence, origin = excluded.origin, observer = excluded.observer;
          INSERT INTO offences (target, count, last) VALUES (p_target, p_offence, p_since)
          ON CONFLICT (target) DO UPDATE SET count = GREATEST(offences.count, excluded.count), last = excluded.last;
        END IF;
      END IF;
      IF change_id IS NOT NULL THEN PERFORM pg_notify('${BAN_CHANNEL}', change_id::text); END IF;
      RETURN change_id;
    END $$;
    `,
  },
  {
    version: 3,
    name: 'events keyed by (ts, key): 52 bits of the MD5 of the id instead of the id text',
    sql: `
    -- The same key as the embedded store's (../encodedEvent.ts): an 8-byte integer in the
    -- primary key instead of the id's text; the id stays in the document.
    ALTER TABLE events ADD COLUMN key bigint;
    UPDATE events SET key = ${eventKeySql('id')};
    ALTER TABLE events ALTER COLUMN key SET NOT NULL;
    ALTER TABLE events DROP CONSTRAINT events_pkey;
    ALTER TABLE events DROP COLUMN id;
    ALTER TABLE events ADD PRIMARY KEY (ts, key);
    `,
  },
];
