-- Accounts of a wallet. A user's wallet in one asset is one or more accounts: 'main' for the plain balance,
-- and others (holds, lots) to come. The 'main' account guards the rest: a write locks the main account of
-- every wallet it touches, in the one lock order, and only then reads, creates or changes the wallet's
-- other accounts. 'accounts' on the main account counts the wallet's accounts (NULL: just main), and grows
-- by one, inside the creating transaction, whenever another account is created. So a writer that locked
-- a main account sees, by that count, an account created by a transaction that committed while it waited,
-- which its statement's snapshot cannot show it, and reads again; at REPEATABLE READ and SERIALIZABLE the
-- count's update itself fails the waiting writer with a serialization error, and it retries.
--
-- Invariants the database refuses to break (the engine checks them too, and the audit recomputes them):
--   * an account other than main is created only for a wallet whose main account exists, and it counts;
--   * only USER main accounts carry the count.

ALTER TABLE wallets ADD COLUMN accounts integer
    CONSTRAINT wallets_accounts_on_main CHECK (accounts IS NULL OR (kind = 'USER' AND account = 'main' AND accounts >= 2));

-- SECURITY DEFINER: the application role may update only a wallet's balance, chain head and last entry
-- time; the count is the schema's own bookkeeping, done with the owner's rights.
CREATE FUNCTION count_new_account() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE wallets m SET accounts = COALESCE(m.accounts, 1) + 1
     WHERE m.kind = 'USER' AND m.owner_id = NEW.owner_id AND m.asset_id = NEW.asset_id AND m.account = 'main';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'wallet ledger: account % of % in asset % has no main account', NEW.account, NEW.owner_id,
            NEW.asset_id USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER wallets_count_accounts AFTER INSERT ON wallets
    FOR EACH ROW WHEN (NEW.kind = 'USER' AND NEW.account <> 'main') EXECUTE FUNCTION count_new_account();

ALTER TABLE wallets ENABLE ALWAYS TRIGGER wallets_count_accounts;
