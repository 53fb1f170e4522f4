-- Every reference id is bound to the first outcome of a request made under it: the transaction it applied,
-- or the refusal it met once execution began (short of funds, a missing wallet, asset or original, a
-- reversal beyond what remains, not reversible...). A retry of the same request answers with that outcome,
-- refusals included; a different request under the same reference is a conflict. A request refused before
-- execution (malformed) or cut short by the database (busy, unreachable) binds nothing.
--
-- How attempts are kept apart: a write first inserts its references here, in one statement, in ascending
-- (COLLATE "C") order, before it locks anything else. An attempt whose reference another attempt has
-- inserted and not yet committed waits for it (the unique index); when that one commits, the reference is
-- bound, and the waiting attempt answers with its outcome; when it rolls back, the waiting attempt goes on.
-- So two attempts under one reference never run side by side, on any node, and an attempt that arrives
-- after its reference is bound never applies. Every writer takes its references before its wallets, each
-- set in one order, so no wait cycle can form.
--
-- Invariants the database refuses to break (the engine checks them too, and the audit recomputes them):
--   * a reference is bound once (the primary key);
--   * a transaction or a refusal is inserted only under a reference bound in this table, and a reference
--     has at most one of them: never both a transaction and a refusal;
--   * bindings and refusals are append-only.
-- The audit ('references') also finds a reference bound with no outcome at all.

CREATE TABLE ledger_references (
    reference_id varchar(100) COLLATE "C" PRIMARY KEY CHECK (length(reference_id) > 0)
);

-- The references of 0.2.0's transactions: each was bound to its transaction.
INSERT INTO ledger_references (reference_id) SELECT reference_id FROM ledger_transactions;

CREATE TABLE ledger_refusals (
    reference_id  varchar(100) COLLATE "C" PRIMARY KEY,
    type          varchar(10)  NOT NULL CHECK (type IN ('TOPUP', 'BONUS', 'SPEND', 'TRANSFER', 'REVERSAL',
                                                        'CHARGEBACK', 'ADJUSTMENT')),
    -- The request as it was made (as ledger_transactions.request and metadata hold it), compared with a retry.
    request       jsonb        NOT NULL CHECK (jsonb_typeof(request) = 'object'),
    metadata      jsonb        NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    fingerprint   bytea        NOT NULL CHECK (length(fingerprint) = 32),
    actor         varchar(100),
    -- The refusal, as the caller was told it: a stable error code, its message and its details.
    error_code    varchar(40)  NOT NULL CHECK (error_code ~ '^[A-Z][A-Z_]*$'),
    error_message text         NOT NULL,
    error_details jsonb        NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(error_details) = 'object'),
    created_at    timestamptz  NOT NULL
);

CREATE TRIGGER ledger_references_append_only BEFORE UPDATE OR DELETE ON ledger_references
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_references_no_truncate BEFORE TRUNCATE ON ledger_references
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_refusals_append_only BEFORE UPDATE OR DELETE ON ledger_refusals
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_refusals_no_truncate BEFORE TRUNCATE ON ledger_refusals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- At the end of each statement that inserts transactions or refusals: every new row's reference is bound
-- here, and has no outcome of the other kind. Driven by the new rows: each lookup is a LATERAL subquery the
-- planner cannot flatten (OFFSET 0), so it runs once per new row as one probe of a primary or unique key. (An
-- EXISTS in an OR may be planned as a hash of the whole table instead.)
CREATE FUNCTION check_bound_references() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad text;
BEGIN
    IF TG_TABLE_NAME = 'ledger_transactions' THEN
        SELECT n.reference_id INTO bad
          FROM new_rows n
          LEFT JOIN LATERAL (SELECT true AS found FROM ledger_references r
                              WHERE r.reference_id = n.reference_id OFFSET 0) r ON true
          LEFT JOIN LATERAL (SELECT true AS found FROM ledger_refusals o
                              WHERE o.reference_id = n.reference_id OFFSET 0) o ON true
         WHERE r.found IS NULL OR o.found
         LIMIT 1;
    ELSE
        SELECT n.reference_id INTO bad
          FROM new_rows n
          LEFT JOIN LATERAL (SELECT true AS found FROM ledger_references r
                              WHERE r.reference_id = n.reference_id OFFSET 0) r ON true
          LEFT JOIN LATERAL (SELECT true AS found FROM ledger_transactions o
                              WHERE o.reference_id = n.reference_id OFFSET 0) o ON true
         WHERE r.found IS NULL OR o.found
         LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'wallet ledger: reference % is not bound to this outcome: it is not in ledger_references, or it has an outcome already', bad
            USING ERRCODE = 'WL002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_transactions_bound AFTER INSERT ON ledger_transactions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_bound_references();
CREATE TRIGGER ledger_refusals_bound AFTER INSERT ON ledger_refusals
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION check_bound_references();

ALTER TABLE ledger_references ENABLE ALWAYS TRIGGER ledger_references_append_only;
ALTER TABLE ledger_references ENABLE ALWAYS TRIGGER ledger_references_no_truncate;
ALTER TABLE ledger_refusals ENABLE ALWAYS TRIGGER ledger_refusals_append_only;
ALTER TABLE ledger_refusals ENABLE ALWAYS TRIGGER ledger_refusals_no_truncate;
ALTER TABLE ledger_transactions ENABLE ALWAYS TRIGGER ledger_transactions_bound;
ALTER TABLE ledger_refusals ENABLE ALWAYS TRIGGER ledger_refusals_bound;
