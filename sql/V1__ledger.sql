-- The wallet ledger's schema. Flyway runs this with the search_path set to the ledger's own schema
-- (`wallet` by default), so every name below lands there; functions capture that search_path.
--
-- A ledger transaction is N >= 2 postings (entries) in one asset that balance: the sum of its debits
-- equals the sum of its credits, which is the transaction's amount. Each posting names a wallet, a
-- direction and an amount; every posting on a USER wallet records that wallet's balance_after.
--
-- Invariants the database itself refuses to break (the Java engine checks them too, and the audit
-- recomputes them):
--   * every transaction balances, in one asset, with at least one USER posting and each wallet at most
--     once; its amount is the sum of its debits; it posts only to the SYSTEM wallets its type may use
--     (a top-up the TREASURY, a bonus the BONUS_POOL, a spend REVENUE, a transfer none...);
--   * a USER wallet's balance always equals its latest entry's balance_after, and each USER entry's
--     balance_after is the previous one plus (credit) or minus (debit) the amount;
--   * no debit leaves a USER balance below zero, except a chargeback under the "debt" policy; a zero
--     posting (a chargeback that could recover nothing) is allowed only there;
--   * a REVERSAL or CHARGEBACK names the transaction it takes back (never itself a reversal or a
--     chargeback; a chargeback only a top-up), in its asset, and all of them together never take back
--     more than that transaction's amount;
--   * time never runs backwards along a USER wallet: its entries' transactions are dated in entry order;
--   * entries and transactions are append-only: UPDATE, DELETE and TRUNCATE are refused by triggers
--     that are ENABLE ALWAYS, so session_replication_role = replica does not switch them off.
--
-- SYSTEM wallets store no balance (balance IS NULL): their balance is the sum of their entries. This
-- keeps the TREASURY, BONUS_POOL, REVENUE, ADJUSTMENTS and CHARGEBACK_LOSS rows out of every write, so
-- they never serialize traffic.
--
-- Wallets are addressed by (kind, owner, asset, account). A user's plain balance is its 'main' account;
-- the other account names are room for what comes later (holds, lots).
--
-- Tamper evidence: one hash chain per USER wallet. Every USER entry stores chain_hash = SHA-256(the
-- wallet's previous link, the transaction's content hash), where the content hash covers every field of
-- the transaction and all its postings; the engine computes them under the wallet locks it holds, and
-- the wallet's chain_head is its latest link. A transfer extends two chains in one transaction. The audit
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
    account    varchar(30)  COLLATE "C" NOT NULL DEFAULT 'main' CHECK (account ~ '^[a-z][a-z0-9_]{0,29}$'),
    balance    bigint,
    chain_head bytea CHECK (chain_head IS NULL OR (kind = 'USER' AND length(chain_head) = 32)),
    -- The created_at of the wallet's latest entry's transaction (USER wallets; NULL before the first).
    last_entry_at timestamptz CHECK (last_entry_at IS NULL OR kind = 'USER'),
    created_at timestamptz              NOT NULL DEFAULT now(),
    CONSTRAINT wallets_owner_key UNIQUE (kind, owner_id, asset_id, account),
    CONSTRAINT wallets_balance_by_kind CHECK (
        (kind = 'USER' AND balance IS NOT NULL)
        OR (kind = 'SYSTEM' AND balance IS NULL AND account = 'main'
            AND owner_id IN ('TREASURY', 'BONUS_POOL', 'REVENUE', 'ADJUSTMENTS', 'CHARGEBACK_LOSS')))
) WITH (fillfactor = 80); -- room for HOT updates of the balance

CREATE TABLE ledger_transactions (
    id             uuid PRIMARY KEY,
    type           varchar(10)              NOT NULL CHECK (type IN ('TOPUP', 'BONUS', 'SPEND', 'TRANSFER',
                                                                     'REVERSAL', 'CHARGEBACK', 'ADJUSTMENT')),
    reference_id   varchar(100) COLLATE "C" NOT NULL CHECK (length(reference_id) > 0),
    asset_id       integer                  NOT NULL, -- checked by the trigger below; a foreign key would KEY SHARE-lock one hot row
    -- The sum of the transaction's debits (and of its credits).
    amount         bigint                   NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
    -- The transaction a REVERSAL or CHARGEBACK takes back (and only those name one).
    reverses       uuid REFERENCES ledger_transactions (id)
                   CHECK ((reverses IS NOT NULL) = (type IN ('REVERSAL', 'CHARGEBACK'))),
    -- The request as it was made, beyond its type, reference and metadata: its fields by wire name, as
    -- JSON strings (user_id, asset_code, amount, payment_method, to_user_id, policy...). Idempotency
    -- compares a retry with it; the content hash covers it.
    request        jsonb                    NOT NULL CHECK (jsonb_typeof(request) = 'object'),
    metadata       jsonb                    NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    fingerprint    bytea                    NOT NULL CHECK (length(fingerprint) = 32),
    actor          varchar(100), -- who did it: the API key id, the operator; NULL when not told
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
    amount         bigint     NOT NULL CHECK (amount BETWEEN 0 AND 1000000000000000),
    balance_after  bigint,    -- USER wallets only; NULL on SYSTEM wallets
    -- The wallet's chain link: USER entries only.
    chain_hash     bytea CHECK (length(chain_hash) = 32),
    CONSTRAINT ledger_entries_link_by_kind CHECK ((balance_after IS NULL) = (chain_hash IS NULL)),
    -- A wallet appears at most once in a transaction; also the index that finds a transaction's entries.
    CONSTRAINT ledger_entries_transaction_wallet_key UNIQUE (transaction_id, wallet_id)
);

CREATE INDEX ledger_entries_wallet_idx ON ledger_entries (wallet_id, id);
CREATE INDEX ledger_transactions_reverses_idx ON ledger_transactions (reverses) WHERE reverses IS NOT NULL;

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
        IF (NEW.id, NEW.kind, NEW.owner_id, NEW.asset_id, NEW.account, NEW.created_at)
            IS DISTINCT FROM (OLD.id, OLD.kind, OLD.owner_id, OLD.asset_id, OLD.account, OLD.created_at) THEN
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
    -- balance, chain head and last_entry_at. So no entry lands without its wallet moving with it, and (since
    -- last_entry_at only moves forward, see refuse_identity_change) no entry is dated before an earlier one.
    -- A debit may leave a USER balance below zero only in a chargeback under the debt policy; a zero
    -- posting is a chargeback's record on a USER wallet it could recover nothing from.
    SELECT n.id INTO bad
      FROM (SELECT n.*, lead(n.id) OVER (PARTITION BY n.wallet_id ORDER BY n.id) AS next_id
              FROM new_entries n) n
      LEFT JOIN LATERAL (SELECT w.kind, w.asset_id, w.balance, w.chain_head, w.last_entry_at
                           FROM wallets w WHERE w.id = n.wallet_id OFFSET 0) w ON true
      LEFT JOIN LATERAL (SELECT t.asset_id, t.type, t.request ->> 'policy' AS policy, t.created_at
                           FROM ledger_transactions t WHERE t.id = n.transaction_id OFFSET 0) t ON true
     WHERE w.kind IS NULL
        OR t.asset_id IS NULL
        OR w.asset_id <> t.asset_id
        OR (w.kind = 'USER') <> (n.balance_after IS NOT NULL)
        OR (n.amount = 0 AND (w.kind <> 'USER' OR t.type <> 'CHARGEBACK'))
        OR (n.direction = 'DEBIT' AND n.amount > 0 AND n.balance_after < 0
            AND NOT (t.type = 'CHARGEBACK' AND t.policy IS NOT DISTINCT FROM 'debt'))
        OR (w.kind = 'USER' AND n.next_id IS NULL
            AND (w.balance <> n.balance_after OR w.chain_head IS DISTINCT FROM n.chain_hash
                 OR w.last_entry_at IS DISTINCT FROM t.created_at))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: entry % names an unknown wallet or another asset, has a balance_after its wallet kind does not have, takes a USER balance below zero outside a debt chargeback, or its USER wallet did not move with it', bad
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
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entries_double_entry AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION check_new_entries();

-- A transaction is inserted in the same statement as its entries; at the end of that statement it must
-- balance, and a reversal or chargeback must fit what it takes back.
CREATE FUNCTION check_new_transactions() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad uuid;
BEGIN
    -- Driven by each new transaction's id: its entries through ledger_entries_transaction_wallet_key, then
    -- wallet primary keys. (Restricting on a system wallet instead would walk every entry of the TREASURY.)
    SELECT t.id INTO bad
      FROM new_transactions t
     CROSS JOIN LATERAL (
           SELECT count(*) AS entries,
                  count(*) FILTER (WHERE w.kind = 'USER') AS user_entries,
                  COALESCE(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0) AS debits,
                  COALESCE(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT'), 0) AS credits,
                  count(*) FILTER (WHERE w.asset_id IS DISTINCT FROM t.asset_id) AS foreign_assets,
                  -- the SYSTEM wallets a type may post to (a reversal mirrors its original's)
                  count(*) FILTER (WHERE w.kind = 'SYSTEM' AND NOT w.owner_id = ANY (CASE t.type
                      WHEN 'TOPUP' THEN ARRAY['TREASURY']
                      WHEN 'BONUS' THEN ARRAY['BONUS_POOL']
                      WHEN 'SPEND' THEN ARRAY['REVENUE']
                      WHEN 'ADJUSTMENT' THEN ARRAY['ADJUSTMENTS']
                      WHEN 'CHARGEBACK' THEN ARRAY['TREASURY', 'CHARGEBACK_LOSS']
                      WHEN 'REVERSAL' THEN ARRAY['TREASURY', 'BONUS_POOL', 'REVENUE', 'ADJUSTMENTS']
                      ELSE ARRAY[]::varchar[] END)) AS foreign_roles
             FROM ledger_entries e
             LEFT JOIN LATERAL (SELECT w.kind, w.asset_id, w.owner_id
                                  FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w ON true
            WHERE e.transaction_id = t.id) c
     WHERE c.entries < 2
        OR c.user_entries < 1
        OR c.debits <> c.credits
        OR c.debits <> t.amount
        OR c.foreign_assets <> 0
        OR c.foreign_roles <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % is not two or more balanced postings in its asset, with a USER posting, summing to its amount, on the SYSTEM wallets its type may use', bad
            USING ERRCODE = 'WL002';
    END IF;

    -- A reversal or chargeback: the original (a primary-key probe) is reversible by it and in the same
    -- asset, and every transaction that takes it back (ledger_transactions_reverses_idx) sums to at most
    -- its amount.
    SELECT t.id INTO bad
      FROM new_transactions t
      LEFT JOIN LATERAL (SELECT o.type, o.asset_id, o.amount
                           FROM ledger_transactions o WHERE o.id = t.reverses OFFSET 0) o ON true
      LEFT JOIN LATERAL (SELECT sum(r.amount) AS taken
                           FROM ledger_transactions r WHERE r.reverses = t.reverses) r ON true
     WHERE t.reverses IS NOT NULL
       AND (o.type IS NULL
            OR o.type IN ('REVERSAL', 'CHARGEBACK')
            OR (t.type = 'CHARGEBACK' AND o.type <> 'TOPUP')
            OR o.asset_id <> t.asset_id
            OR r.taken > o.amount)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % takes back what it may not: a reversal or chargeback, another asset, or more than the original''s amount', bad
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
           SELECT e.balance_after, e.chain_hash, e.transaction_id
             FROM ledger_entries e
            WHERE e.wallet_id = u.id
            ORDER BY e.wallet_id DESC, e.id DESC
            LIMIT 1) latest ON true
      LEFT JOIN LATERAL (SELECT t.created_at
                           FROM ledger_transactions t WHERE t.id = latest.transaction_id OFFSET 0) t ON true
     WHERE u.kind = 'USER'
       AND (u.balance IS DISTINCT FROM COALESCE(latest.balance_after, 0)
            OR u.chain_head IS DISTINCT FROM latest.chain_hash
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
-- Every asset comes with its SYSTEM wallets.

CREATE FUNCTION create_system_wallets() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO wallets (kind, owner_id, asset_id)
    SELECT 'SYSTEM', role, NEW.id FROM unnest(ARRAY['TREASURY', 'BONUS_POOL', 'REVENUE', 'ADJUSTMENTS', 'CHARGEBACK_LOSS']) AS role;
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
