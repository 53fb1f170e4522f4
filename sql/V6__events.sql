-- Events and controls: every committed change becomes one event, written by the same transaction as the change;
-- a feed pages through them gap-free; a wallet can be frozen, closed and capped.
--
-- Events. The engine inserts one row into ledger_events for every transaction and every controls change, in the
-- statement that writes the change (the triggers below refuse a transaction or a controls change without its
-- event). An event's id is drawn by that statement, after the wallet locks were taken, so along one wallet the ids
-- follow the order of its entries. Ids are not the feed's order, though: a writer can draw an id and commit after
-- a writer that drew a later one, and a reader paging by id would skip it. So the feed pages by position, which
-- the sequencer gives: one transaction at a time (it locks ledger_event_sequencer's row), it takes every event it
-- can see that has no position yet, in id order, and numbers them on from the last position given. A reader paging
-- by position never finds a gap later: positions are given in increasing order by one transaction at a time,
-- and each sequencer run sees every event committed before it. Along one wallet, positions keep the order of its
-- entries: a later change of the wallet waited for the earlier one's commit, so a run that sees it sees the
-- earlier one too, with a smaller id.
--
-- The history from before this migration has no events: the feed starts at the upgrade. How many transactions
-- were there then is kept in ledger_event_sequencer, for verify.

CREATE TABLE ledger_controls (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id          varchar(100) COLLATE "C" NOT NULL CHECK (length(owner_id) > 0),
    asset_id          integer                  NOT NULL REFERENCES asset_types (id),
    status            varchar(6)               NOT NULL CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')),
    max_balance       bigint CHECK (max_balance BETWEEN 0 AND 1000000000000000),
    daily_spend_limit bigint CHECK (daily_spend_limit BETWEEN 0 AND 1000000000000000),
    reason            varchar(500)             NOT NULL CHECK (length(btrim(reason)) > 0),
    actor             varchar(100),
    created_at        timestamptz              NOT NULL
);
CREATE INDEX ledger_controls_wallet_idx ON ledger_controls (owner_id, asset_id, id);

CREATE TRIGGER ledger_controls_append_only BEFORE UPDATE OR DELETE ON ledger_controls
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_controls_no_truncate BEFORE TRUNCATE ON ledger_controls
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The controls in force, on the wallet's main account, where every write reads them with its lock: the latest
-- ledger_controls row of the wallet (control_id). spent is what the wallet spent on spent_on (a UTC day),
-- counted while it has a daily spend limit.
ALTER TABLE wallets
    ADD COLUMN status            varchar(6) NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')),
    ADD COLUMN max_balance       bigint CHECK (max_balance BETWEEN 0 AND 1000000000000000),
    ADD COLUMN daily_spend_limit bigint CHECK (daily_spend_limit BETWEEN 0 AND 1000000000000000),
    ADD COLUMN spent_on          date,
    ADD COLUMN spent             bigint NOT NULL DEFAULT 0 CHECK (spent BETWEEN 0 AND 9000000000000000000),
    ADD COLUMN control_id        bigint,
    ADD CONSTRAINT wallets_controls_on_main CHECK (
        (kind = 'USER' AND account = 'main')
        OR (status = 'ACTIVE' AND max_balance IS NULL AND daily_spend_limit IS NULL AND spent_on IS NULL
            AND spent = 0 AND control_id IS NULL));

-- The controls in force are always the wallet's latest record, and change only with one (in the same statement).
CREATE FUNCTION check_wallet_controls() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    latest ledger_controls%ROWTYPE;
BEGIN
    SELECT * INTO latest FROM ledger_controls c
     WHERE c.owner_id = NEW.owner_id AND c.asset_id = NEW.asset_id
     ORDER BY c.id DESC LIMIT 1;
    IF NOT FOUND OR latest.id IS DISTINCT FROM NEW.control_id
       OR latest.status IS DISTINCT FROM NEW.status
       OR latest.max_balance IS DISTINCT FROM NEW.max_balance
       OR latest.daily_spend_limit IS DISTINCT FROM NEW.daily_spend_limit THEN
        RAISE EXCEPTION 'wallet ledger: wallet % controls are not its latest controls record', NEW.id
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER wallets_controls_recorded BEFORE UPDATE ON wallets
    FOR EACH ROW
    WHEN (NEW.control_id IS DISTINCT FROM OLD.control_id OR NEW.status IS DISTINCT FROM OLD.status
          OR NEW.max_balance IS DISTINCT FROM OLD.max_balance
          OR NEW.daily_spend_limit IS DISTINCT FROM OLD.daily_spend_limit)
    EXECUTE FUNCTION check_wallet_controls();

-- The day's count never passes the daily spend limit by a spend (a limit lowered below what was spent already
-- stands: the count does not move then).
CREATE FUNCTION refuse_spend_past_limit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wallet ledger: wallet % would spend % on % past its daily spend limit %', NEW.id, NEW.spent,
        NEW.spent_on, NEW.daily_spend_limit USING ERRCODE = 'WL002';
END
$$;

CREATE TRIGGER wallets_daily_spend_limit BEFORE UPDATE ON wallets
    FOR EACH ROW
    WHEN (NEW.daily_spend_limit IS NOT NULL AND NEW.spent > NEW.daily_spend_limit
          AND (NEW.spent > OLD.spent OR NEW.spent_on IS DISTINCT FROM OLD.spent_on))
    EXECUTE FUNCTION refuse_spend_past_limit();

CREATE TABLE ledger_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The feed's order, given by the sequencer once; NULL until then.
    position       bigint,
    type           varchar(40) NOT NULL CHECK (type ~ '^[a-z]+\.[a-z_]+$'),
    transaction_id uuid,   -- the transaction told (checked by the triggers below, like the entries' wallets)
    control_id     bigint, -- or the controls change told
    created_at     timestamptz NOT NULL,
    CONSTRAINT ledger_events_one_subject CHECK ((transaction_id IS NULL) <> (control_id IS NULL))
);
-- At most one event per transaction, per controls change, per position. Partial, so that a write's insert (a
-- transaction's event, no position yet) touches only the indexes that hold it: this, the primary key and the next.
CREATE UNIQUE INDEX ledger_events_transaction_key ON ledger_events (transaction_id) WHERE transaction_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_events_control_key ON ledger_events (control_id) WHERE control_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_events_position_key ON ledger_events (position) WHERE position IS NOT NULL;
-- What the sequencer has still to number.
CREATE INDEX ledger_events_unplaced_idx ON ledger_events (id) WHERE position IS NULL;

CREATE TABLE ledger_event_sequencer (
    id           integer PRIMARY KEY CHECK (id = 1),
    placed       bigint      NOT NULL CHECK (placed >= 0), -- the last position given
    -- The feed's start: when this migration ran, and how many transactions there were then (they have no event).
    started_at   timestamptz NOT NULL,
    transactions_before bigint NOT NULL
);
INSERT INTO ledger_event_sequencer (id, placed, started_at, transactions_before)
SELECT 1, 0, now(), count(*) FROM ledger_transactions;

CREATE TRIGGER ledger_event_sequencer_no_delete BEFORE DELETE ON ledger_event_sequencer
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_event_sequencer_no_truncate BEFORE TRUNCATE ON ledger_event_sequencer
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_events_no_delete BEFORE DELETE ON ledger_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- An event changes once: the sequencer gives it its position; nothing else of it ever changes.
CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.position IS NOT NULL OR NEW.position IS NULL OR NEW.position <= 0
       OR (NEW.id, NEW.type, NEW.transaction_id, NEW.control_id, NEW.created_at)
          IS DISTINCT FROM (OLD.id, OLD.type, OLD.transaction_id, OLD.control_id, OLD.created_at) THEN
        RAISE EXCEPTION 'wallet ledger: event % is given its position once, and never changes otherwise', OLD.id
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_events_placed_once BEFORE UPDATE ON ledger_events
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();

-- The event type a transaction is told as.
CREATE FUNCTION event_type(transaction_type text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE transaction_type
        WHEN 'HOLD' THEN 'hold.placed'
        WHEN 'CAPTURE' THEN 'hold.captured'
        WHEN 'VOID' THEN 'hold.voided'
        WHEN 'EXPIRY' THEN 'hold.expired'
        WHEN 'LOT_EXPIRY' THEN 'lot.expired'
        WHEN 'LOT_SPLIT' THEN 'lot.split'
        ELSE 'transaction.' || lower(transaction_type) END
$$;

-- Every new transaction has its event, of its type, at its time, inserted by the same statement (an event
-- inserted later, by another statement, is refused by the events' own check below).
CREATE FUNCTION check_transaction_events() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad uuid;
BEGIN
    SELECT t.id INTO bad
      FROM new_transactions t
      LEFT JOIN LATERAL (SELECT ev.type, ev.created_at
                           FROM ledger_events ev WHERE ev.transaction_id = t.id OFFSET 0) ev ON true
     WHERE ev.type IS DISTINCT FROM event_type(t.type) OR ev.created_at IS DISTINCT FROM t.created_at
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % has no event of its type and time', bad USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_transactions_have_events AFTER INSERT ON ledger_transactions
    REFERENCING NEW TABLE AS new_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION check_transaction_events();

-- Every controls change has its event, of the type its change of status gives, at its time.
CREATE FUNCTION check_control_events() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT c.id INTO bad
      FROM new_controls c
      LEFT JOIN LATERAL (SELECT p.status FROM ledger_controls p
                          WHERE p.owner_id = c.owner_id AND p.asset_id = c.asset_id AND p.id < c.id
                          ORDER BY p.id DESC LIMIT 1) p ON true
      LEFT JOIN LATERAL (SELECT ev.type, ev.created_at
                           FROM ledger_events ev WHERE ev.control_id = c.id OFFSET 0) ev ON true
     WHERE ev.created_at IS DISTINCT FROM c.created_at
        OR ev.type IS DISTINCT FROM CASE
               WHEN c.status = COALESCE(p.status, 'ACTIVE') THEN 'wallet.limits_changed'
               WHEN c.status = 'FROZEN' THEN 'wallet.frozen'
               WHEN c.status = 'CLOSED' THEN 'wallet.closed'
               WHEN p.status = 'FROZEN' THEN 'wallet.unfrozen'
               ELSE 'wallet.reopened' END
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: controls change % has no event of its type and time', bad
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_controls_have_events AFTER INSERT ON ledger_controls
    REFERENCING NEW TABLE AS new_controls
    FOR EACH STATEMENT EXECUTE FUNCTION check_control_events();

-- An event tells a transaction or controls change of its own statement: inserted with it, never after.
CREATE FUNCTION check_new_events() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT ev.id INTO bad
      FROM new_events ev
      LEFT JOIN LATERAL (SELECT t.xmin AS creator FROM ledger_transactions t
                          WHERE t.id = ev.transaction_id OFFSET 0) t ON true
      LEFT JOIN LATERAL (SELECT c.xmin AS creator FROM ledger_controls c
                          WHERE c.id = ev.control_id OFFSET 0) c ON true
     WHERE ev.position IS NOT NULL
        OR COALESCE(t.creator, c.creator) IS DISTINCT FROM pg_current_xact_id()::xid
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: event % does not tell a change its transaction makes', bad
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_events_tell_changes AFTER INSERT ON ledger_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION check_new_events();

-- What controls refuse, again in the database: on a CLOSED wallet, every user operation (top-up, bonus, spend,
-- transfer either way, hold, capture); on a FROZEN one, what takes coins out (spend, transfer out, hold: what a
-- transaction moves per user is counted with held coins aside, since a hold takes coins from the user's lots to the
-- user's own held account); a top-up, bonus or transfer in that leaves the wallet above its maximum balance, the
-- wallet's balance being all its accounts right after that transaction (each account's balance_after up to the
-- transaction's last entry: a batch may move the wallet again after it). Reversals, chargebacks, adjustments, voids
-- and expiries are never refused for controls. Only once a controls record exists is anything looked at: a ledger
-- that never set one pays one probe per statement.
CREATE FUNCTION check_controls() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad uuid;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_controls) THEN
        RETURN NULL;
    END IF;
    SELECT t.id INTO bad
      FROM new_transactions t
     CROSS JOIN LATERAL (
           -- every user the transaction touches (a capture touches only the held account), held coins aside in net
           SELECT w.owner_id, max(e.id) AS last_entry,
                  sum(CASE WHEN w.account = 'held' THEN 0
                           WHEN e.direction = 'CREDIT' THEN e.amount ELSE -e.amount END) AS net
             FROM ledger_entries e
             JOIN LATERAL (SELECT w.owner_id, w.kind, w.account FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w
               ON true
            WHERE e.transaction_id = t.id AND w.kind = 'USER'
            GROUP BY w.owner_id) u
     CROSS JOIN LATERAL (
           SELECT m.status, m.max_balance FROM wallets m
            WHERE m.kind = 'USER' AND m.owner_id = u.owner_id AND m.asset_id = t.asset_id AND m.account = 'main'
            OFFSET 0) m
     WHERE (m.status = 'CLOSED' AND t.type IN ('TOPUP', 'BONUS', 'SPEND', 'TRANSFER', 'HOLD', 'CAPTURE'))
        OR (m.status = 'FROZEN' AND t.type IN ('SPEND', 'TRANSFER', 'HOLD') AND u.net < 0)
        OR (m.max_balance IS NOT NULL AND t.type IN ('TOPUP', 'BONUS', 'TRANSFER') AND u.net > 0
            AND (SELECT sum(x.balance_after)
                   FROM wallets a
                  CROSS JOIN LATERAL (SELECT x.balance_after FROM ledger_entries x
                                       WHERE x.wallet_id = a.id AND x.id <= u.last_entry
                                       ORDER BY x.wallet_id DESC, x.id DESC LIMIT 1) x
                  WHERE a.kind = 'USER' AND a.owner_id = u.owner_id AND a.asset_id = t.asset_id) > m.max_balance)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % is refused by its wallet''s controls (closed, frozen or above its maximum balance)', bad
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_transactions_within_controls AFTER INSERT ON ledger_transactions
    REFERENCING NEW TABLE AS new_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION check_controls();

-- Like every trigger of the ledger: ENABLE ALWAYS, so session_replication_role = replica does not switch them off.
ALTER TABLE ledger_controls ENABLE ALWAYS TRIGGER ledger_controls_append_only;
ALTER TABLE ledger_controls ENABLE ALWAYS TRIGGER ledger_controls_no_truncate;
ALTER TABLE ledger_controls ENABLE ALWAYS TRIGGER ledger_controls_have_events;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_controls_recorded;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_daily_spend_limit;
ALTER TABLE ledger_event_sequencer ENABLE ALWAYS TRIGGER ledger_event_sequencer_no_delete;
ALTER TABLE ledger_event_sequencer ENABLE ALWAYS TRIGGER ledger_event_sequencer_no_truncate;
ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_no_delete;
ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_no_truncate;
ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_placed_once;
ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_tell_changes;
ALTER TABLE ledger_transactions ENABLE ALWAYS TRIGGER ledger_transactions_have_events;
ALTER TABLE ledger_transactions ENABLE ALWAYS TRIGGER ledger_transactions_within_controls;
