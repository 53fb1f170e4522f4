-- Webhook subscriptions: a URL that is sent the feed's events (V6) of some types, signed with the subscription's
-- secret, one at a time, in feed order, at least once.
--
-- Each subscription keeps its durable cursor, delivered: the feed position of the last event its endpoint
-- acknowledged (2xx). Delivery starts after it, at every server start too, so a server killed mid-delivery sends
-- that event again (same event id) and loses none. The cursor only moves forward.
--
-- One server node at a time delivers a subscription: the one holding its lease (lease_owner, a random id per
-- server process, until lease_expires_at, on the database's clock). A lease row, not an advisory lock: advisory
-- locks belong to a session, and behind PgBouncer in transaction mode a session is not the server's. The holder
-- renews the lease before each request and moves the cursor only while it is still the owner (the UPDATE names
-- it); a node that lost the lease moves nothing. What the nodes do with the lease, and the limit of the guarantee,
-- is in README.md, "Webhooks".
--
-- A subscription is never deleted: removing it sets status REMOVED (final), so its history stays.
--
-- Invariants the database refuses to break (the Java side checks them too):
--   * a subscription's id, URL, types, secret, creation time and actor never change;
--   * a REMOVED subscription never changes again;
--   * the cursor never moves back;
--   * a lease has both its owner and its expiry, or neither; FAILING has its failing_since, ACTIVE has none.

CREATE FUNCTION event_types_well_formed(types varchar(40)[]) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(bool_and(t ~ '^[a-z]+\.[a-z_]+$'), true) FROM unnest(types) t
$$;

CREATE TABLE webhook_subscriptions (
    id               uuid PRIMARY KEY,
    url              varchar(2000) NOT NULL CHECK (url ~ '^https?://[^\s]+$'),
    -- The event types sent; empty: every type.
    types            varchar(40)[] NOT NULL CHECK (cardinality(types) <= 64 AND event_types_well_formed(types)),
    secret           varchar(200)  NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/]{32,}={0,2}$'),
    status           varchar(7)    NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'FAILING', 'REMOVED')),
    -- The durable cursor: the feed position of the last event delivered (or passed over by type).
    delivered        bigint        NOT NULL CHECK (delivered >= 0),
    lease_owner      uuid,
    lease_expires_at timestamptz,
    -- Failed attempts since the last delivery, when the current run of failures began, and when the next
    -- attempt is due (now, when nothing failed).
    attempts         integer       NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 100000000),
    retrying_since   timestamptz,
    next_attempt_at  timestamptz   NOT NULL,
    failing_since    timestamptz,
    last_error       varchar(500),
    last_status      integer CHECK (last_status BETWEEN 100 AND 599),
    created_at       timestamptz   NOT NULL,
    actor            varchar(100),
    removed_at       timestamptz,
    removed_by       varchar(100),
    -- The latest resume, and who asked for it.
    resumed_at       timestamptz,
    resumed_by       varchar(100),
    CONSTRAINT webhook_subscriptions_lease CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL)),
    CONSTRAINT webhook_subscriptions_failing CHECK (
        (status <> 'FAILING' OR failing_since IS NOT NULL) AND (status <> 'ACTIVE' OR failing_since IS NULL)),
    CONSTRAINT webhook_subscriptions_removed CHECK ((status = 'REMOVED') = (removed_at IS NOT NULL)),
    CONSTRAINT webhook_subscriptions_retrying CHECK ((attempts = 0) = (retrying_since IS NULL))
);
-- What the dispatchers look for: active subscriptions, by when they are due.
CREATE INDEX webhook_subscriptions_due_idx ON webhook_subscriptions (next_attempt_at) WHERE status = 'ACTIVE';

CREATE TRIGGER webhook_subscriptions_no_delete BEFORE DELETE ON webhook_subscriptions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER webhook_subscriptions_no_truncate BEFORE TRUNCATE ON webhook_subscriptions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE FUNCTION refuse_webhook_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'REMOVED'
       OR (NEW.id, NEW.url, NEW.types, NEW.secret, NEW.created_at, NEW.actor)
          IS DISTINCT FROM (OLD.id, OLD.url, OLD.types, OLD.secret, OLD.created_at, OLD.actor)
       OR NEW.delivered < OLD.delivered THEN
        RAISE EXCEPTION 'wallet ledger: webhook subscription % keeps its terms, its cursor only moves forward, and a removed one never changes', OLD.id
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER webhook_subscriptions_fixed_terms BEFORE UPDATE ON webhook_subscriptions
    FOR EACH ROW EXECUTE FUNCTION refuse_webhook_change();

-- Like every trigger of the ledger: ENABLE ALWAYS, so session_replication_role = replica does not switch them off.
ALTER TABLE webhook_subscriptions ENABLE ALWAYS TRIGGER webhook_subscriptions_no_delete;
ALTER TABLE webhook_subscriptions ENABLE ALWAYS TRIGGER webhook_subscriptions_no_truncate;
ALTER TABLE webhook_subscriptions ENABLE ALWAYS TRIGGER webhook_subscriptions_fixed_terms;
