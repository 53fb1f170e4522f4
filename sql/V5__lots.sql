-- Currency lots: paid and free coins, each with an optional expiry. A lot is an account of the user's wallet,
-- named for its class and expiry:
--   'main'                   paid coins that never expire (every coin of a ledger from before lots);
--   'free'                   free coins that never expire;
--   'paid_YYYYMMDDtHHMMSSz'  paid coins that expire at that UTC second;
--   'free_YYYYMMDDtHHMMSSz'  free coins that expire at that UTC second;
--   'held'                   the coins of open holds (V4), never a lot.
-- A top-up credits a paid lot and a bonus a free one; a spend debits lots in the asset's spend order and
-- credits REVENUE with the paid part and PROMO_REDEEMED with the free part. A lot past its expiry leaves the
-- wallet for the asset's BREAKAGE wallet in a LOT_EXPIRY transaction under the reserved reference
-- 'wallet-ledger:lot-expiry:<wallet id>', posted once, whoever gets there first (a write that locks the
-- wallet, or the sweep). No coin enters or leaves an expired lot otherwise: what would come back to one (a
-- refund, a hold's release) goes to BREAKAGE.
--
-- Invariants the database refuses to break (the engine checks them too, and the audit recomputes them):
--   * a USER account is a lot or 'held';
--   * a spend's REVENUE credit is what it took from paid lots and its PROMO_REDEEMED credit what it took from
--     free lots (free coins are never revenue);
--   * no transaction but its LOT_EXPIRY posts to a lot at or after the lot's expiry;
--   * a LOT_EXPIRY takes all of its one expired lot (its balance after is zero) to BREAKAGE, under the lot's
--     reserved reference, so at most once;
--   * the hold rules of V4 with lots in the place of 'main': a hold takes its coins from the owner's lots, and
--     what it releases goes back to lots or, for an expired lot, to BREAKAGE;
--   * a LOT_SPLIT moves coins from one wallet's 'main' account to its 'free' lot and nothing else, under the
--     reserved reference 'wallet-ledger:lot-split:<main account's wallet id>', so at most once per wallet.
--
-- Upgrading a ledger from before lots: every coin was in 'main', which is now the paid lot that never expires.
-- The wallets that were ever given a bonus or a credit adjustment are listed in ledger_lot_splits; the upgrade (Ledger.migrate, right
-- after this migration) replays each one's history under its lock, finds its free part, posts that part from
-- 'main' to 'free' as a LOT_SPLIT, and removes the wallet from the list, in one transaction.

-- The system wallets of the free part of spends and of expired coins.
ALTER TABLE wallets DROP CONSTRAINT wallets_balance_by_kind;
ALTER TABLE wallets ADD CONSTRAINT wallets_balance_by_kind CHECK (
    (kind = 'USER' AND balance IS NOT NULL)
    OR (kind = 'SYSTEM' AND balance IS NULL AND account = 'main'
        AND owner_id IN ('TREASURY', 'BONUS_POOL', 'REVENUE', 'ADJUSTMENTS', 'CHARGEBACK_LOSS', 'PROMO_REDEEMED',
                         'BREAKAGE')));
INSERT INTO wallets (kind, owner_id, asset_id)
SELECT 'SYSTEM', role, a.id
  FROM asset_types a CROSS JOIN unnest(ARRAY['PROMO_REDEEMED', 'BREAKAGE']) AS role
 ORDER BY a.id, role;

CREATE OR REPLACE FUNCTION create_system_wallets() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO wallets (kind, owner_id, asset_id)
    SELECT 'SYSTEM', role, NEW.id
      FROM unnest(ARRAY['TREASURY', 'BONUS_POOL', 'REVENUE', 'ADJUSTMENTS', 'CHARGEBACK_LOSS', 'PROMO_REDEEMED',
                        'BREAKAGE']) AS role;
    RETURN NULL;
END
$$;

-- Which lots a spend, a hold or a transfer takes first, per asset; fixed once the asset exists.
ALTER TABLE asset_types ADD COLUMN spend_order varchar(14) NOT NULL DEFAULT 'FREE_FIRST'
    CHECK (spend_order IN ('FREE_FIRST', 'PAID_FIRST', 'EXPIRING_FIRST'));

CREATE FUNCTION refuse_spend_order_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.spend_order IS DISTINCT FROM OLD.spend_order THEN
        RAISE EXCEPTION 'wallet ledger: an asset''s spend order cannot change (asset %)', OLD.code
            USING ERRCODE = 'WL001';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER asset_types_fixed_spend_order BEFORE UPDATE ON asset_types
    FOR EACH ROW EXECUTE FUNCTION refuse_spend_order_change();

ALTER TABLE wallets ADD CONSTRAINT wallets_user_accounts CHECK (
    kind <> 'USER' OR account IN ('main', 'free', 'held') OR account ~ '^(paid|free)_[0-9]{8}t[0-9]{6}z$');

-- A lot's class ('PAID' or 'FREE'; NULL for 'held') and expiry (NULL: never), from its account's name.
CREATE FUNCTION lot_class(account text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN account = 'main' OR account LIKE 'paid\_%' THEN 'PAID'
                WHEN account = 'free' OR account LIKE 'free\_%' THEN 'FREE' END
$$;
CREATE FUNCTION lot_expiry(account text) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN account ~ '^(paid|free)_[0-9]{8}t[0-9]{6}z$'
                THEN make_timestamptz(substr(account, 6, 4)::int, substr(account, 10, 2)::int,
                                      substr(account, 12, 2)::int, substr(account, 15, 2)::int,
                                      substr(account, 17, 2)::int, substr(account, 19, 2)::int, 'UTC') END
$$;

-- The sweep: the lots that expire, by expiry. The expression reads the account name only, which never
-- changes, so a balance update stays a HOT update.
CREATE INDEX wallets_lot_expiry_idx ON wallets (lot_expiry(account), id)
    WHERE kind = 'USER' AND account ~ '^(paid|free)_';

ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_type_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_type_check CHECK (type IN (
    'TOPUP', 'BONUS', 'SPEND', 'TRANSFER', 'REVERSAL', 'CHARGEBACK', 'ADJUSTMENT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRY',
    'LOT_EXPIRY', 'LOT_SPLIT'));
ALTER TABLE ledger_refusals DROP CONSTRAINT ledger_refusals_type_check;
ALTER TABLE ledger_refusals ADD CONSTRAINT ledger_refusals_type_check CHECK (type IN (
    'TOPUP', 'BONUS', 'SPEND', 'TRANSFER', 'REVERSAL', 'CHARGEBACK', 'ADJUSTMENT', 'HOLD', 'CAPTURE', 'VOID', 'EXPIRY',
    'LOT_EXPIRY', 'LOT_SPLIT'));

-- V4's hold chain, with what a capture, void or expiry releases going to lots or BREAKAGE (not only 'main').
CREATE OR REPLACE FUNCTION first_broken_hold(ids uuid[]) RETURNS uuid LANGUAGE sql STABLE SET search_path FROM CURRENT
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
                            JOIN LATERAL (SELECT w.kind, w.owner_id, w.account
                                            FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w ON true
                           WHERE e.transaction_id = t.id AND e.direction = 'CREDIT'
                             AND ((w.kind = 'USER' AND w.account <> 'held')
                                  OR (w.kind = 'SYSTEM' AND w.owner_id = 'BREAKAGE'))) m ON true
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

-- The shape of new transactions (V4's, with lots): the SYSTEM wallets each type may use, the hold rules with
-- lots in the place of 'main', the split of a spend by class, and the expiry of lots.
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
                  -- the SYSTEM wallets a type may post to
                  count(*) FILTER (WHERE w.kind = 'SYSTEM' AND NOT w.owner_id = ANY (CASE t.type
                      WHEN 'TOPUP' THEN ARRAY['TREASURY']
                      WHEN 'BONUS' THEN ARRAY['BONUS_POOL']
                      WHEN 'SPEND' THEN ARRAY['REVENUE', 'PROMO_REDEEMED']
                      WHEN 'ADJUSTMENT' THEN ARRAY['ADJUSTMENTS']
                      WHEN 'CHARGEBACK' THEN ARRAY['TREASURY', 'CHARGEBACK_LOSS']
                      WHEN 'REVERSAL' THEN ARRAY['TREASURY', 'BONUS_POOL', 'REVENUE', 'ADJUSTMENTS', 'PROMO_REDEEMED',
                                                 'BREAKAGE']
                      WHEN 'CAPTURE' THEN ARRAY['REVENUE', 'PROMO_REDEEMED', 'BREAKAGE']
                      WHEN 'VOID' THEN ARRAY['BREAKAGE']
                      WHEN 'EXPIRY' THEN ARRAY['BREAKAGE']
                      WHEN 'LOT_EXPIRY' THEN ARRAY['BREAKAGE']
                      ELSE ARRAY[]::varchar[] END)) AS foreign_roles,
                  count(*) FILTER (WHERE w.kind = 'USER' AND w.account = 'held') AS held_entries,
                  COALESCE(sum(e.amount) FILTER (WHERE w.account = 'held' AND e.direction = 'CREDIT'), 0) AS held_in,
                  COALESCE(sum(e.amount) FILTER (WHERE w.account = 'held' AND e.direction = 'DEBIT'), 0) AS held_out,
                  COALESCE(sum(e.amount) FILTER (WHERE w.lot AND e.direction = 'DEBIT'), 0) AS lots_out,
                  COALESCE(sum(e.amount) FILTER (WHERE w.lot AND e.direction = 'CREDIT'), 0) AS lots_in,
                  COALESCE(sum(e.amount) FILTER (WHERE w.lot AND e.direction = 'DEBIT' AND w.class = 'PAID'), 0)
                      AS paid_out,
                  COALESCE(sum(e.amount) FILTER (WHERE w.lot AND e.direction = 'DEBIT' AND w.class = 'FREE'), 0)
                      AS free_out,
                  COALESCE(sum(e.amount) FILTER (WHERE w.owner_id = 'REVENUE' AND w.kind = 'SYSTEM'
                                                   AND e.direction = 'CREDIT'), 0) AS revenue_in,
                  COALESCE(sum(e.amount) FILTER (WHERE w.owner_id = 'PROMO_REDEEMED' AND w.kind = 'SYSTEM'
                                                   AND e.direction = 'CREDIT'), 0) AS promo_in,
                  COALESCE(sum(e.amount) FILTER (WHERE w.owner_id = 'BREAKAGE' AND w.kind = 'SYSTEM'
                                                   AND e.direction = 'CREDIT'), 0) AS breakage_in,
                  -- postings to a lot at or after its expiry, and a lot expiry's own posting
                  count(*) FILTER (WHERE w.lot AND w.expiry <= t.created_at) AS expired_entries,
                  count(*) FILTER (WHERE w.lot AND w.expiry <= t.created_at AND e.direction = 'DEBIT'
                                     AND e.balance_after = 0
                                     AND t.reference_id = 'wallet-ledger:lot-expiry:' || e.wallet_id) AS expiries,
                  count(*) FILTER (WHERE w.kind = 'USER' AND w.account = 'main' AND e.direction = 'DEBIT'
                                     AND t.reference_id = 'wallet-ledger:lot-split:' || e.wallet_id) AS split_from,
                  count(*) FILTER (WHERE w.kind = 'USER' AND w.account = 'free' AND e.direction = 'CREDIT') AS split_to,
                  count(DISTINCT w.owner_id) FILTER (WHERE w.kind = 'USER') AS owners,
                  count(*) FILTER (WHERE w.kind = 'USER' AND w.owner_id IS DISTINCT FROM h.owner_id) AS strangers
             FROM ledger_entries e
             LEFT JOIN LATERAL (SELECT w.kind, w.asset_id, w.owner_id, w.account,
                                       w.kind = 'USER' AND w.account <> 'held' AS lot,
                                       lot_class(w.account) AS class, lot_expiry(w.account) AS expiry
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
        OR (t.type = 'HOLD' AND NOT (c.held_in = t.amount AND c.lots_out = t.amount))
        OR (t.type IN ('CAPTURE', 'VOID', 'EXPIRY') AND NOT (c.held_out = t.amount AND c.lots_out = 0))
        OR (t.type = 'CAPTURE' AND c.lots_in + c.breakage_in = t.amount)
        OR (t.type IN ('VOID', 'EXPIRY') AND NOT (c.lots_in + c.breakage_in = t.amount AND t.hold_remaining = 0))
        OR (t.type = 'SPEND' AND NOT (c.revenue_in = c.paid_out AND c.promo_in = c.free_out))
        OR (t.type <> 'LOT_EXPIRY' AND c.expired_entries > 0)
        OR (t.type = 'LOT_EXPIRY' AND NOT (c.entries = 2 AND c.expired_entries = 1 AND c.expiries = 1
                                           AND c.breakage_in = t.amount))
        OR (t.type = 'LOT_SPLIT' AND NOT (c.entries = 2 AND c.split_from = 1 AND c.split_to = 1 AND c.owners = 1))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: transaction % is not two or more balanced postings in its asset, with a USER posting, summing to its amount, on the SYSTEM wallets and accounts its type may use (free coins are never revenue; an expired lot moves only by its expiry)', bad
            USING ERRCODE = 'WL002';
    END IF;

    -- A reversal or chargeback: the original (a primary-key probe) is reversible by it and in the same
    -- asset, and every transaction that takes it back (ledger_transactions_reverses_idx) sums to at most
    -- its amount; a capture's, to at most its captured part (what it did not release).
    SELECT t.id INTO bad
      FROM new_transactions t
      LEFT JOIN LATERAL (SELECT o.id, o.type, o.asset_id, o.amount
                           FROM ledger_transactions o WHERE o.id = t.reverses OFFSET 0) o ON true
      LEFT JOIN LATERAL (SELECT sum(r.amount) AS taken
                           FROM ledger_transactions r WHERE r.reverses = t.reverses) r ON true
      LEFT JOIN LATERAL (SELECT sum(e.amount) AS released
                           FROM ledger_entries e
                           JOIN LATERAL (SELECT w.kind, w.owner_id
                                           FROM wallets w WHERE w.id = e.wallet_id OFFSET 0) w ON true
                          WHERE e.transaction_id = o.id AND o.type = 'CAPTURE' AND e.direction = 'CREDIT'
                            AND (w.kind = 'USER' OR w.owner_id = 'BREAKAGE')) k ON true
     WHERE t.reverses IS NOT NULL
       AND (o.type IS NULL
            OR o.type IN ('REVERSAL', 'CHARGEBACK', 'HOLD', 'VOID', 'EXPIRY', 'LOT_EXPIRY')
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

ALTER TABLE asset_types ENABLE ALWAYS TRIGGER asset_types_fixed_spend_order;

-- The wallets from before lots whose coins may be partly free: those ever credited by a bonus or an adjustment. The upgrade to
-- lots empties this list (see the top of this file); a wallet made from now on is never on it.
CREATE TABLE ledger_lot_splits (
    owner_id varchar(100) COLLATE "C" NOT NULL,
    asset_id integer NOT NULL REFERENCES asset_types (id),
    PRIMARY KEY (owner_id, asset_id)
);
INSERT INTO ledger_lot_splits (owner_id, asset_id)
SELECT DISTINCT w.owner_id, w.asset_id
  FROM ledger_transactions t
  JOIN ledger_entries e ON e.transaction_id = t.id
  JOIN wallets w ON w.id = e.wallet_id
 WHERE t.type IN ('BONUS', 'ADJUSTMENT') AND w.kind = 'USER' AND e.direction = 'CREDIT';
