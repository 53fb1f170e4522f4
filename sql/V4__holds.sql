-- Two-phase holds. A hold moves coins out of a user's spendable 'main' account into the wallet's 'held'
-- account (a HOLD transaction); they leave it by captures (CAPTURE: to the asset's REVENUE, and with a final
-- capture the rest back to main), a void (VOID: the rest back to main) or the expiry (EXPIRY: the rest back to
-- main, under the reserved reference 'wallet-ledger:expiry:<hold id>', so it is posted once, whoever gets there
-- first). Every one of these transactions names its hold (hold_id; a HOLD's is its own id) and records what
-- remains of the hold right after it (hold_remaining). ledger_holds keeps each hold's state for reads and for
-- finding expired holds; it moves only with those transactions, in the same statement.
--
-- Invariants the database refuses to break (the engine checks them too, and the audit recomputes them):
--   * a hold transaction posts only to its hold's owner, only to main and held (a CAPTURE also to REVENUE),
--     and only hold transactions post to a held account;
--   * a hold's transactions form one chain: the HOLD at its amount, then each capture, void or expiry taking
--     its amount off what remained, never below zero, and at most one of them brings it to zero;
--   * the hold's row is that chain: captured and released are their sums, the status and closed time are
--     those of the transaction that closed it, and a closed hold never changes again;
--   * a held account's balance is the sum of what remains of its wallet's open holds;
--   * a reversal takes back only a capture's captured part (to main), and never a hold, void or expiry.

ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_type_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_type_check CHECK (type IN (
    'TOPUP', 'BONUS', 'SPEND', 'TRANSFER', 'REVERSAL', 'CHARGEBACK', 'ADJUSTMENT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRY'));
ALTER TABLE ledger_refusals DROP CONSTRAINT ledger_refusals_type_check;
ALTER TABLE ledger_refusals ADD CONSTRAINT ledger_refusals_type_check CHECK (type IN (
    'TOPUP', 'BONUS', 'SPEND', 'TRANSFER', 'REVERSAL', 'CHARGEBACK', 'ADJUSTMENT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRY'));

ALTER TABLE ledger_transactions
    ADD COLUMN hold_id uuid,
    ADD COLUMN hold_remaining bigint CHECK (hold_remaining BETWEEN 0 AND 1000000000000000),
    ADD CONSTRAINT ledger_transactions_hold_by_type CHECK (
        (hold_id IS NOT NULL) = (type IN ('HOLD', 'CAPTURE', 'VOID', 'EXPIRY'))
        AND (hold_remaining IS NOT NULL) = (hold_id IS NOT NULL)
        AND (type <> 'HOLD' OR hold_id = id));
CREATE INDEX ledger_transactions_hold_idx ON ledger_transactions (hold_id, hold_remaining) WHERE hold_id IS NOT NULL;

CREATE TABLE ledger_holds (
    id           uuid PRIMARY KEY REFERENCES ledger_transactions (id), -- the HOLD transaction
    reference_id varchar(100) COLLATE "C" NOT NULL UNIQUE,
    owner_id     varchar(100) COLLATE "C" NOT NULL CHECK (length(owner_id) > 0),
    asset_id     integer     NOT NULL REFERENCES asset_types (id),
    amount       bigint      NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
    captured     bigint      NOT NULL DEFAULT 0 CHECK (captured >= 0),
    released     bigint      NOT NULL DEFAULT 0 CHECK (released >= 0),
    status       varchar(8)  NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CAPTURED', 'VOIDED', 'EXPIRED')),
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    closed_at    timestamptz,
    CONSTRAINT ledger_holds_within_amount CHECK (captured + released <= amount),
    CONSTRAINT ledger_holds_open_while_remaining CHECK ((status = 'OPEN') = (captured + released < amount)),
    CONSTRAINT ledger_holds_closed_at CHECK ((closed_at IS NULL) = (status = 'OPEN'))
);
-- The open holds of a wallet, soonest expiry first (what remains held; the expired ones a write releases).
CREATE INDEX ledger_holds_open_idx ON ledger_holds (owner_id, asset_id, expires_at) WHERE status = 'OPEN';
-- The sweep: open holds by expiry.
CREATE INDEX ledger_holds_expiry_idx ON ledger_holds (expires_at) WHERE status = 'OPEN';
-- A wallet's holds, newest first, for listing.
CREATE INDEX ledger_holds_owner_idx ON ledger_holds (owner_id, asset_id, id);

CREATE TRIGGER ledger_holds_no_delete BEFORE DELETE ON ledger_holds
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_holds_no_truncate BEFORE TRUNCATE ON ledger_holds
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A hold's identity and terms never change; what it has given up only grows; a closed hold is final.
CREATE FUNCTION refuse_hold_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'OPEN'
       OR NEW.id <> OLD.id OR NEW.reference_id <> OLD.reference_id OR NEW.owner_id <> OLD.owner_id
       OR NEW.asset_id <> OLD.asset_id OR NEW.amount <> OLD.amount OR NEW.expires_at <> OLD.expires_at
       OR NEW.created_at <> OLD.created_at OR NEW.captured < OLD.captured OR NEW.released < OLD.released THEN
        RAISE EXCEPTION 'wallet ledger: hold % may only give up more of its amount while it is open', OLD.id
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_holds_fixed_terms BEFORE UPDATE ON ledger_holds
    FOR EACH ROW EXECUTE FUNCTION refuse_hold_change();

-- The first of the holds given whose row is not the chain of its transactions (see above), or NULL. Driven by
-- the ids: the hold by its primary key, its transactions by ledger_transactions_hold_idx, their entries by
-- ledger_entries_transaction_wallet_key and each entry's wallet by its primary key, each in a LATERAL subquery
-- the planner cannot flatten.
CREATE FUNCTION first_broken_hold(ids uuid[]) RETURNS uuid LANGUAGE sql STABLE SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
    SELECT n.id
      FROM (SELECT DISTINCT u.id FROM unnest(ids) AS u(id)) n
      LEFT JOIN LATERAL (SELECT h.* FROM ledger_holds h WHERE h.id = n.id OFFSET 0) h ON true
      LEFT JOIN LATERAL (
           SELECT count(*) FILTER (WHERE x.type = 'HOLD') AS holds,
                  count(*) FILTER (WHERE x.hold_remaining = 0) AS closings,
                  bool_and(CASE WHEN x.previous IS NULL
                                THEN x.type = 'HOLD' AND x.hold_remaining = x.amount
                                ELSE x.type <> 'HOLD' AND x.hold_remaining = x.previous - x.amount END) AS chained,
                  min(x.hold_remaining) AS remaining,
                  COALESCE(sum(x.amount - x.released) FILTER (WHERE x.type <> 'HOLD'), 0) AS captured,
                  COALESCE(sum(x.released) FILTER (WHERE x.type <> 'HOLD'), 0) AS released,
                  max(x.type) FILTER (WHERE x.hold_remaining = 0) AS closed_by,
                  max(x.created_at) FILTER (WHERE x.hold_remaining = 0) AS closed_at,
                  max(x.created_at) FILTER (WHERE x.type = 'HOLD') AS held_at,
                  max(x.amount) FILTER (WHERE x.type = 'HOLD') AS held,
                  bool_and(x.asset_id = h.asset_id) AS one_asset
             FROM (SELECT t.type, t.amount, t.hold_remaining, t.created_at, t.asset_id,
                          lag(t.hold_remaining) OVER (ORDER BY t.hold_remaining DESC) AS previous,
                          COALESCE(m.released, 0) AS released
                     FROM ledger_transactions t
                     LEFT JOIN LATERAL (
                          SELECT sum(e.amount) AS released
                            FROM ledger_entries e
                            JOIN LATERAL (SELECT w.kind, w.account FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w
                              ON true
                           WHERE e.transaction_id = t.id AND e.direction = 'CREDIT' AND w.kind = 'USER'
                             AND w.account = 'main') m ON true
                    WHERE t.hold_id = n.id AND t.hold_id IS NOT NULL) x) c ON true
     WHERE h.id IS NULL
        OR c.holds <> 1
        OR c.closings > 1
        OR NOT c.chained
        OR NOT c.one_asset
        OR c.held <> h.amount
        OR c.held_at <> h.created_at
        OR c.captured <> h.captured
        OR c.released <> h.released
        OR c.remaining <> h.amount - h.captured - h.released
        OR h.status <> CASE WHEN c.remaining > 0 THEN 'OPEN' WHEN c.closed_by = 'CAPTURE' THEN 'CAPTURED'
                            WHEN c.closed_by = 'VOID' THEN 'VOIDED' ELSE 'EXPIRED' END
        OR h.closed_at IS DISTINCT FROM c.closed_at
     LIMIT 1
$$;

CREATE FUNCTION check_changed_holds() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    bad uuid;
BEGIN
    -- A statement trigger fires for an UPDATE or INSERT of no row too (every write has one of each).
    IF NOT EXISTS (SELECT 1 FROM changed_holds) THEN
        RETURN NULL;
    END IF;
    bad := first_broken_hold(ARRAY(SELECT c.id FROM changed_holds c));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'wallet ledger: hold % does not match its transactions', bad USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_holds_match_inserted AFTER INSERT ON ledger_holds
    REFERENCING NEW TABLE AS changed_holds
    FOR EACH STATEMENT EXECUTE FUNCTION check_changed_holds();
CREATE TRIGGER ledger_holds_match_updated AFTER UPDATE ON ledger_holds
    REFERENCING NEW TABLE AS changed_holds
    FOR EACH STATEMENT EXECUTE FUNCTION check_changed_holds();

-- The shape of new transactions, as V1 checked it, with the hold types: a CAPTURE may post to REVENUE; a
-- reversal takes back a capture's captured part only, and no hold, void or expiry; and the hold rules above.
CREATE OR REPLACE FUNCTION check_new_transactions() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad uuid;
BEGIN
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
                      WHEN 'CAPTURE' THEN ARRAY['REVENUE']
                      ELSE ARRAY[]::varchar[] END)) AS foreign_roles,
                  count(*) FILTER (WHERE w.kind = 'USER' AND w.account = 'held') AS held_entries,
                  COALESCE(sum(e.amount) FILTER (WHERE w.account = 'held' AND e.direction = 'CREDIT'), 0) AS held_in,
                  COALESCE(sum(e.amount) FILTER (WHERE w.account = 'held' AND e.direction = 'DEBIT'), 0) AS held_out,
                  COALESCE(sum(e.amount) FILTER (WHERE w.kind = 'USER' AND w.account = 'main'
                                                   AND e.direction = 'DEBIT'), 0) AS main_out,
                  COALESCE(sum(e.amount) FILTER (WHERE w.kind = 'USER' AND w.account = 'main'
                                                   AND e.direction = 'CREDIT'), 0) AS main_in,
                  count(*) FILTER (WHERE w.kind = 'USER' AND (w.owner_id IS DISTINCT FROM h.owner_id
                                                             OR w.account NOT IN ('main', 'held'))) AS strangers
             FROM ledger_entries e
             LEFT JOIN LATERAL (SELECT w.kind, w.asset_id, w.owner_id, w.account
                                  FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w ON true
             LEFT JOIN LATERAL (SELECT h.owner_id FROM ledger_holds h WHERE h.id = t.hold_id OFFSET 0) h ON true
            WHERE e.transaction_id = t.id) c
     WHERE c.entries < 2
        OR c.user_entries < 1
        OR c.debits <> c.credits
        OR c.debits <> t.amount
        OR c.foreign_assets <> 0
        OR c.foreign_roles <> 0
        OR (t.hold_id IS NULL AND c.held_entries > 0)
        OR (t.hold_id IS NOT NULL AND (c.strangers > 0 OR c.held_entries <> 1))
        OR (t.type = 'HOLD' AND NOT (c.held_in = t.amount AND c.main_out = t.amount))
        OR (t.type IN ('CAPTURE', 'VOID', 'EXPIRY') AND NOT (c.held_out = t.amount AND c.main_out = 0))
        OR (t.type = 'CAPTURE' AND c.main_in = t.amount)
        OR (t.type IN ('VOID', 'EXPIRY') AND NOT (c.main_in = t.amount AND t.hold_remaining = 0))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % is not two or more balanced postings in its asset, with a USER posting, summing to its amount, on the SYSTEM wallets and accounts its type may use', bad
            USING ERRCODE = 'WL002';
    END IF;

    -- A reversal or chargeback: the original (a primary-key probe) is reversible by it and in the same
    -- asset, and every transaction that takes it back (ledger_transactions_reverses_idx) sums to at most
    -- its amount; a capture's, to at most its captured part (what went to REVENUE).
    SELECT t.id INTO bad
      FROM new_transactions t
      LEFT JOIN LATERAL (SELECT o.id, o.type, o.asset_id, o.amount
                           FROM ledger_transactions o WHERE o.id = t.reverses OFFSET 0) o ON true
      LEFT JOIN LATERAL (SELECT sum(r.amount) AS taken
                           FROM ledger_transactions r WHERE r.reverses = t.reverses) r ON true
      LEFT JOIN LATERAL (SELECT sum(e.amount) AS released
                           FROM ledger_entries e
                           JOIN LATERAL (SELECT w.kind, w.account FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w
                             ON true
                          WHERE e.transaction_id = o.id AND o.type = 'CAPTURE' AND e.direction = 'CREDIT'
                            AND w.kind = 'USER') k ON true
     WHERE t.reverses IS NOT NULL
       AND (o.type IS NULL
            OR o.type IN ('REVERSAL', 'CHARGEBACK', 'HOLD', 'VOID', 'EXPIRY')
            OR (t.type = 'CHARGEBACK' AND o.type <> 'TOPUP')
            OR o.asset_id <> t.asset_id
            OR r.taken > o.amount - COALESCE(k.released, 0))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % takes back what it may not: a reversal, chargeback, hold, void or expiry, another asset, or more than the original''s amount (a capture''s captured part)', bad
            USING ERRCODE = 'WL002';
    END IF;

    -- Each hold named is still the chain of its transactions, now with these.
    IF EXISTS (SELECT 1 FROM new_transactions t WHERE t.hold_id IS NOT NULL) THEN
        bad := first_broken_hold(ARRAY(SELECT t.hold_id FROM new_transactions t WHERE t.hold_id IS NOT NULL));
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'wallet ledger: hold % does not match its transactions', bad USING ERRCODE = 'WL002';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- A held account's balance is what remains of its wallet's open holds (ledger_holds_open_idx), checked at the
-- end of every UPDATE of wallets, one probe per updated held account.
CREATE FUNCTION check_held_accounts() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM updated_wallets u WHERE u.account = 'held') THEN
        RETURN NULL;
    END IF;
    SELECT u.id INTO bad
      FROM updated_wallets u
      LEFT JOIN LATERAL (SELECT COALESCE(sum(h.amount - h.captured - h.released), 0) AS remaining
                           FROM ledger_holds h
                          WHERE h.owner_id = u.owner_id AND h.asset_id = u.asset_id AND h.status = 'OPEN') h ON true
     WHERE u.kind = 'USER' AND u.account = 'held' AND u.balance <> h.remaining
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: held account % is not what remains of its open holds', bad
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER wallets_held_matches_holds AFTER UPDATE ON wallets
    REFERENCING NEW TABLE AS updated_wallets
    FOR EACH STATEMENT EXECUTE FUNCTION check_held_accounts();

ALTER TABLE ledger_holds ENABLE ALWAYS TRIGGER ledger_holds_no_delete;
ALTER TABLE ledger_holds ENABLE ALWAYS TRIGGER ledger_holds_no_truncate;
ALTER TABLE ledger_holds ENABLE ALWAYS TRIGGER ledger_holds_fixed_terms;
ALTER TABLE ledger_holds ENABLE ALWAYS TRIGGER ledger_holds_match_inserted;
ALTER TABLE ledger_holds ENABLE ALWAYS TRIGGER ledger_holds_match_updated;
ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_held_matches_holds;
