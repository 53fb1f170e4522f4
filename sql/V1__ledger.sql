-- The wallet ledger's schema. Flyway runs this with the search_path set to the ledger's own schema
-- (`wallet` by default), so every name below lands there; functions capture that search_path.
--
-- Invariants the database itself refuses to break (the Java engine checks them too):
--   * every ledger transaction has exactly one USER entry and one SYSTEM entry of equal amount,
--     on the system wallet its type names (TOPUP: TREASURY, BONUS: BONUS_POOL, SPEND: REVENUE);
--   * every transaction's debits equal its credits, all entries in the transaction's asset;
--   * a USER wallet's balance is never negative and always equals its latest entry's balance_after
--     and each USER entry's balance_after is the previous one plus (credit) or minus (debit) the amount;
--   * time never runs backwards along a USER wallet: its entries' transactions are dated in entry order
--     (last_entry_at, the time of the wallet's latest entry, only moves forward);
--   * entries and transactions are append-only: UPDATE, DELETE and TRUNCATE are refused by triggers
--     that are ENABLE ALWAYS, so session_replication_role = replica does not switch them off.
--
-- SYSTEM wallets store no balance (balance IS NULL): their balance is the sum of their entries. This
-- keeps the TREASURY, BONUS_POOL and REVENUE rows out of every write, so they never serialize traffic.
--
-- Tamper evidence: every transaction carries chain_hash = SHA-256(previous chain_hash of its USER wallet,
-- its canonical content and entries), computed by the engine; the wallet's chain_head is the latest one.
-- One chain per USER wallet, extended under the wallet's own row lock: no global hot spot. The audit
-- recomputes every chain, and an exported anchor (a digest over all heads) proves history up to it.

CREATE TABLE asset_types (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           varchar(50)  NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9_]{0,49}$'),
    name           varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
    decimal_places integer      NOT NULL CHECK (decimal_places BETWEEN 0 AND 18),
    created_at     timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE wallets (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       varchar(6)               NOT NULL CHECK (kind IN ('USER', 'SYSTEM')),
    owner_id   varchar(100) COLLATE "C" NOT NULL CHECK (length(owner_id) > 0),
    asset_id   integer                  NOT NULL REFERENCES asset_types (id),
    balance    bigint,
    chain_head bytea CHECK (chain_head IS NULL OR (kind = 'USER' AND length(chain_head) = 32)),
    -- The created_at of the wallet's latest entry's transaction (USER wallets; NULL before the first).
    last_entry_at timestamptz CHECK (last_entry_at IS NULL OR kind = 'USER'),
    created_at timestamptz              NOT NULL DEFAULT now(),
    CONSTRAINT wallets_owner_key UNIQUE (kind, owner_id, asset_id),
    CONSTRAINT wallets_balance_by_kind CHECK (
        (kind = 'USER' AND balance IS NOT NULL AND balance >= 0)
        OR (kind = 'SYSTEM' AND balance IS NULL AND owner_id IN ('TREASURY', 'BONUS_POOL', 'REVENUE')))
) WITH (fillfactor = 80); -- room for HOT updates of the balance

CREATE TABLE ledger_transactions (
    id             uuid PRIMARY KEY,
    type           varchar(6)               NOT NULL CHECK (type IN ('TOPUP', 'BONUS', 'SPEND')),
    reference_id   varchar(100) COLLATE "C" NOT NULL CHECK (length(reference_id) > 0),
    user_wallet_id bigint                   NOT NULL, -- checked by the trigger below; wallets are never deleted
    asset_id       integer                  NOT NULL, -- idem; a foreign key would KEY SHARE-lock one hot row
    amount         bigint                   NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
    payment_method varchar(100) CHECK (payment_method IS NULL OR type = 'TOPUP'),
    bonus_type     varchar(100) CHECK (bonus_type IS NULL OR type = 'BONUS'),
    item_id        varchar(100) CHECK (item_id IS NULL OR type = 'SPEND'),
    metadata       jsonb                    NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    fingerprint    bytea                    NOT NULL CHECK (length(fingerprint) = 32),
    actor          varchar(100), -- who did it: the API key id, the operator; NULL when not told
    chain_hash     bytea                    NOT NULL CHECK (length(chain_hash) = 32),
    -- When the transaction was applied: the database clock once every USER wallet it touches was locked,
    -- and never earlier than any of those wallets' latest entry. One value for every transaction that
    -- commits together. Given by the engine (it is hashed into the chain), so there is no default.
    created_at     timestamptz              NOT NULL,
    CONSTRAINT ledger_transactions_reference_key UNIQUE (reference_id)
);

CREATE TABLE ledger_entries (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id uuid       NOT NULL REFERENCES ledger_transactions (id),
    wallet_id      bigint     NOT NULL, -- checked by the trigger below; wallets are never deleted
    direction      varchar(6) NOT NULL CHECK (direction IN ('DEBIT', 'CREDIT')),
    amount         bigint     NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
    balance_after  bigint CHECK (balance_after >= 0) -- USER wallets only; NULL on SYSTEM wallets
);

CREATE INDEX ledger_entries_wallet_idx ON ledger_entries (wallet_id, id);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_transactions_user_wallet_idx ON ledger_transactions (user_wallet_id);

-- ---------------------------------------------------------------------------------------------
-- Append-only ledger, fixed identities.

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wallet ledger: % on % is refused: the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'WL001';
END
$$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER wallets_no_delete BEFORE DELETE ON wallets
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER wallets_no_truncate BEFORE TRUNCATE ON wallets
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER asset_types_no_delete BEFORE DELETE ON asset_types
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER asset_types_no_truncate BEFORE TRUNCATE ON asset_types
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE FUNCTION refuse_identity_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'wallets' THEN
        IF (NEW.id, NEW.kind, NEW.owner_id, NEW.asset_id, NEW.created_at)
            IS DISTINCT FROM (OLD.id, OLD.kind, OLD.owner_id, OLD.asset_id, OLD.created_at) THEN
            RAISE EXCEPTION 'wallet ledger: a wallet''s identity cannot change (wallet %)', OLD.id
                USING ERRCODE = 'WL001';
        END IF;
        IF NEW.last_entry_at IS NULL AND OLD.last_entry_at IS NOT NULL
            OR NEW.last_entry_at < OLD.last_entry_at THEN
            RAISE EXCEPTION 'wallet ledger: time cannot run backwards along wallet % (% after %)',
                OLD.id, NEW.last_entry_at, OLD.last_entry_at
                USING ERRCODE = 'WL002';
        END IF;
    ELSIF (NEW.id, NEW.code, NEW.decimal_places, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.code, OLD.decimal_places, OLD.created_at) THEN
        RAISE EXCEPTION 'wallet ledger: an asset''s code and decimal places cannot change (asset %)', OLD.code
            USING ERRCODE = 'WL001';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER wallets_fixed_identity BEFORE UPDATE ON wallets
    FOR EACH ROW EXECUTE FUNCTION refuse_identity_change();
CREATE TRIGGER asset_types_fixed_identity BEFORE UPDATE ON asset_types
    FOR EACH ROW EXECUTE FUNCTION refuse_identity_change();

-- ---------------------------------------------------------------------------------------------
-- Double-entry, checked once per statement over the rows it inserted.
-- The statement-level checks below run their queries from plpgsql, which plans each query once per
-- session and keeps the plan, whatever the size of the next statement's transition table and however the
-- tables grow: a plan made while the ledger was empty serves it when it holds millions of rows. So no
-- plan here may depend on the planner's estimates. Each query is driven by the inserted rows (the
-- transition table), and every lookup of a ledger table sits in a LATERAL subquery that the planner
-- cannot flatten (OFFSET 0, LIMIT or an aggregate): it must run once per driving row, with that row's key
-- as a parameter, and inside it exactly one index can serve, by equality on its leading columns (no other
-- index matches its conditions or its ORDER BY). Sequential scans, hash and merge joins are switched off
-- as well. Every check then costs in proportion to the rows inserted.

CREATE FUNCTION check_new_entries() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad bigint;
BEGIN
    -- The last new entry of each USER wallet must be the wallet's state after this statement: its
    -- balance and its last_entry_at. So no entry lands without its wallet moving with it, and (since
    -- last_entry_at only moves forward, see refuse_identity_change) no entry is dated before an earlier one.
    SELECT n.id INTO bad
      FROM (SELECT n.*, lead(n.id) OVER (PARTITION BY n.wallet_id ORDER BY n.id) AS next_id
              FROM new_entries n) n
      LEFT JOIN LATERAL (SELECT w.kind, w.asset_id, w.balance, w.last_entry_at
                           FROM wallets w WHERE w.id = n.wallet_id OFFSET 0) w ON true
      LEFT JOIN LATERAL (SELECT t.asset_id, t.created_at
                           FROM ledger_transactions t WHERE t.id = n.transaction_id OFFSET 0) t ON true
     WHERE w.kind IS NULL
        OR t.asset_id IS NULL
        OR w.asset_id <> t.asset_id
        OR (w.kind = 'USER') <> (n.balance_after IS NOT NULL)
        OR (w.kind = 'USER' AND n.next_id IS NULL
            AND (w.balance <> n.balance_after OR w.last_entry_at IS DISTINCT FROM t.created_at))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: entry % names an unknown wallet, another asset, a balance_after its wallet kind does not have, or a USER wallet that did not move with it', bad
            USING ERRCODE = 'WL002';
    END IF;

    -- Each USER entry continues its wallet's chain: previous balance_after +/- amount. The previous entry
    -- is found on ledger_entries_wallet_idx (wallet_id, id) alone: the row comparison and the ORDER BY name
    -- both of its columns, which the primary key (id) can serve neither.
    SELECT c.id INTO bad
      FROM (SELECT n.id, n.wallet_id, n.balance_after,
                   CASE n.direction WHEN 'CREDIT' THEN n.amount ELSE -n.amount END AS delta,
                   lag(n.balance_after) OVER (PARTITION BY n.wallet_id ORDER BY n.id) AS previous
              FROM new_entries n
             WHERE n.balance_after IS NOT NULL) c
     WHERE c.balance_after <> c.delta + COALESCE(
               c.previous,
               (SELECT e.balance_after FROM ledger_entries e
                 WHERE e.wallet_id = c.wallet_id AND (e.wallet_id, e.id) < (c.wallet_id, c.id)
                 ORDER BY e.wallet_id DESC, e.id DESC LIMIT 1),
               0)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: entry % breaks its wallet''s balance_after chain', bad
            USING ERRCODE = 'WL002';
    END IF;

    SELECT 1 INTO bad
      FROM (SELECT DISTINCT n.transaction_id FROM new_entries n) x
     CROSS JOIN LATERAL (
           SELECT sum(CASE e.direction WHEN 'DEBIT' THEN e.amount ELSE -e.amount END) AS net
             FROM ledger_entries e
            WHERE e.transaction_id = x.transaction_id) b -- ledger_entries_transaction_idx
     WHERE b.net <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: a transaction''s debits do not equal its credits'
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entries_double_entry AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION check_new_entries();

-- A transaction is inserted in the same statement as its two entries; at the end of that statement it
-- must have exactly the shape its type names.
CREATE FUNCTION check_new_transactions() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad uuid;
BEGIN
    -- Driven by each new transaction's id (the entries' transaction index, then wallet primary keys):
    -- restricting on the system wallet instead would walk every entry of the TREASURY.
    SELECT t.id INTO bad
      FROM new_transactions t
      LEFT JOIN LATERAL (SELECT u.kind, u.asset_id FROM wallets u WHERE u.id = t.user_wallet_id OFFSET 0) u ON true
     CROSS JOIN LATERAL (
           SELECT count(*) AS entries,
                  count(*) FILTER (WHERE e.wallet_id = t.user_wallet_id AND e.amount = t.amount
                      AND e.direction = CASE t.type WHEN 'SPEND' THEN 'DEBIT' ELSE 'CREDIT' END) AS user_side,
                  count(*) FILTER (WHERE w.kind = 'SYSTEM' AND w.asset_id = t.asset_id AND e.amount = t.amount
                      AND e.direction = CASE t.type WHEN 'SPEND' THEN 'CREDIT' ELSE 'DEBIT' END
                      AND w.owner_id = CASE t.type WHEN 'TOPUP' THEN 'TREASURY'
                                                   WHEN 'BONUS' THEN 'BONUS_POOL'
                                                   ELSE 'REVENUE' END) AS system_side
             FROM ledger_entries e
            CROSS JOIN LATERAL (SELECT w.kind, w.asset_id, w.owner_id
                                  FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w
            WHERE e.transaction_id = t.id) c
     WHERE u.kind IS NULL
        OR u.kind <> 'USER'
        OR u.asset_id <> t.asset_id
        OR c.entries <> 2
        OR c.user_side <> 1
        OR c.system_side <> 1
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % is not one balanced USER/SYSTEM pair of its type', bad
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_transactions_shape AFTER INSERT ON ledger_transactions
    REFERENCING NEW TABLE AS new_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION check_new_transactions();

-- A USER balance, chain head and last entry time change only together with the entry and transaction that explain
-- them, in the same statement (the engine writes balances, transactions and entries in one): checked
-- at the end of every UPDATE of wallets, once per statement, one index probe per updated wallet. A new
-- USER wallet starts empty.
CREATE FUNCTION check_new_wallet() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'USER' AND (NEW.balance <> 0 OR NEW.chain_head IS NOT NULL OR NEW.last_entry_at IS NOT NULL) THEN
        RAISE EXCEPTION 'wallet ledger: a new wallet starts with balance 0, no chain head and no last entry time'
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER wallets_start_empty BEFORE INSERT ON wallets
    FOR EACH ROW EXECUTE FUNCTION check_new_wallet();

CREATE FUNCTION check_updated_wallets() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT u.id INTO bad
      FROM updated_wallets u
      LEFT JOIN LATERAL ( -- ledger_entries_wallet_idx only: its two columns are the ORDER BY
           SELECT e.balance_after, e.transaction_id
             FROM ledger_entries e
            WHERE e.wallet_id = u.id
            ORDER BY e.wallet_id DESC, e.id DESC
            LIMIT 1) latest ON true
      LEFT JOIN LATERAL (SELECT t.chain_hash, t.created_at
                           FROM ledger_transactions t WHERE t.id = latest.transaction_id OFFSET 0) t ON true
     WHERE u.kind = 'USER'
       AND (u.balance IS DISTINCT FROM COALESCE(latest.balance_after, 0)
            OR u.chain_head IS DISTINCT FROM t.chain_hash
            OR u.last_entry_at IS DISTINCT FROM t.created_at)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: wallet % balance, chain head or last entry time is not its latest entry''s', bad
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER wallets_balance_matches_entries AFTER UPDATE ON wallets
    REFERENCING NEW TABLE AS updated_wallets
    FOR EACH STATEMENT EXECUTE FUNCTION check_updated_wallets();

-- ---------------------------------------------------------------------------------------------
-- Every asset comes with its three SYSTEM wallets.

CREATE FUNCTION create_system_wallets() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO wallets (kind, owner_id, asset_id)
    SELECT 'SYSTEM', role, NEW.id FROM unnest(ARRAY['TREASURY', 'BONUS_POOL', 'REVENUE']) AS role;
    RETURN NULL;
END
$$;

CREATE TRIGGER asset_types_system_wallets AFTER INSERT ON asset_types
    FOR EACH ROW EXECUTE FUNCTION create_system_wallets();

ALTER TABLE ledger_entries ENABLE ALWAYS TRIGGER ledger_entries_append_only;
ALTER TABLE ledger_entries ENABLE ALWAYS TRIGGER ledger_entries_no_truncate;
ALTER TABLE ledger_entries ENABLE ALWAYS TRIGGER ledger_entries_double_entry;
ALTER TABLE ledger_transactions ENABLE ALWAYS TRIGGER ledger_transactions_append_only;
ALTER TABLE ledger_transactions ENABLE ALWAYS TRIGGER ledger_transactions_no_truncate;
ALTER TABLE ledger_transactions ENABLE ALWAYS TRIGGER ledger_transactions_shape;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_no_delete;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_no_truncate;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_fixed_identity;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_balance_matches_entries;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_start_empty;
ALTER TABLE asset_types ENABLE ALWAYS TRIGGER asset_types_no_delete;
ALTER TABLE asset_types ENABLE ALWAYS TRIGGER asset_types_no_truncate;
ALTER TABLE asset_types ENABLE ALWAYS TRIGGER asset_types_fixed_identity;

INSERT INTO asset_types (code, name, decimal_places) VALUES
    ('GOLD_COINS', 'Gold Coins', 0),
    ('DIAMONDS', 'Diamonds', 0),
    ('LOYALTY_POINTS', 'Loyalty Points', 0);
