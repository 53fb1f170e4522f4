package dev.walletledger.core.internal;

import dev.walletledger.core.Anchor;
import dev.walletledger.core.AuditCheck;
import dev.walletledger.core.AuditProgress;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.ErrorCode;
import dev.walletledger.core.OperationType;
import dev.walletledger.core.SystemWallet;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The full audit: recomputes every balance from the entries, in one REPEATABLE READ snapshot, and reports
 * each broken invariant as a violation of its {@link AuditCheck}. The ledger-wide checks run first; then
 * wallets are checked in id ranges, so that progress can be told and no query holds millions of rows in
 * memory; then the anchor, if one was given.
 */
final class Audit {
    /** Wallet ids per range query; with at most {@link #RANGES_MAX} ranges in all. */
    private static final long RANGE_MIN = 2_000;

    private static final long RANGES_MAX = 1_000;

    static final String SIGNED = "CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END";

    private final SqlText sql;
    private final Guards guards;
    private final Anchors anchors;
    private final String counts;
    private final String conservation;
    private final String transactionShape;
    private final String takenBack;
    private final String storedBalances;
    private final String balanceChain;
    private final String walletsInRange;
    private final String accountCounts;
    private final String references;
    private final String lots;
    private final String holds;
    private final String events;
    private final String controls;

    private static final String COUNTS = """
                SELECT (SELECT count(*) FROM {schema}.asset_types) AS assets,
                       (SELECT count(*) FROM {schema}.wallets) AS wallets,
                       (SELECT count(*) FROM {schema}.ledger_transactions) AS transactions,
                       (SELECT count(*) FROM {schema}.ledger_entries) AS entries,
                       (SELECT COALESCE(max(id), 0) FROM {schema}.wallets) AS max_wallet_id
                """;

    /** Per asset: stored USER balances plus SYSTEM balances (the sum of their entries) must be zero. */
    private static final String CONSERVATION = """
                SELECT a.code,
                       COALESCE((SELECT sum(w.balance) FROM {schema}.wallets w
                                  WHERE w.asset_id = a.id AND w.kind = 'USER'), 0)
                     + COALESCE((SELECT sum(%s) FROM {schema}.ledger_entries e
                                   JOIN {schema}.wallets w ON w.id = e.wallet_id
                                  WHERE w.asset_id = a.id AND w.kind = 'SYSTEM'), 0) AS total
                  FROM {schema}.asset_types a
                 ORDER BY a.code
                """.formatted(SIGNED);

    private static final String TRANSACTION_SHAPE = """
                SELECT t.id, t.reference_id, count(e.id) AS entries, COALESCE(sum(%1$s), 0) AS imbalance
                  FROM {schema}.ledger_transactions t
                  LEFT JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                  LEFT JOIN {schema}.wallets w ON w.id = e.wallet_id
                 GROUP BY t.id
                HAVING count(e.id) < 2 OR COALESCE(sum(%1$s), 0) <> 0
                    OR count(*) FILTER (WHERE w.kind = 'USER') < 1
                    OR COALESCE(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT'), 0) <> t.amount
                    OR count(*) FILTER (WHERE w.asset_id <> t.asset_id) <> 0
                    OR count(*) FILTER (WHERE e.amount = 0 AND (w.kind <> 'USER' OR t.type <> 'CHARGEBACK')) <> 0
                    OR count(*) FILTER (WHERE w.kind = 'SYSTEM' AND NOT w.owner_id = ANY (%2$s)) <> 0
                 LIMIT ?
                """.formatted(SIGNED, systemWalletsByType());

    /** Every transaction taken back, with what takes it back: reversible, same asset, not exceeded. */
    private static final String TAKEN_BACK = """
                SELECT o.id, o.reference_id, o.type, o.amount, sum(r.amount) AS taken
                  FROM {schema}.ledger_transactions r
                  JOIN {schema}.ledger_transactions o ON o.id = r.reverses
                  LEFT JOIN LATERAL ( -- a capture's release: what of it is not captured, and not to be taken back
                       SELECT sum(e.amount) AS released
                         FROM {schema}.ledger_entries e JOIN {schema}.wallets w ON w.id = e.wallet_id
                        WHERE e.transaction_id = o.id AND o.type = 'CAPTURE' AND e.direction = 'CREDIT'
                          AND w.kind = 'USER') k ON true
                 GROUP BY o.id
                HAVING sum(r.amount) > o.amount - COALESCE(max(k.released), 0)
                    OR o.type IN ('REVERSAL', 'CHARGEBACK', 'HOLD', 'VOID', 'EXPIRY')
                    OR (bool_or(r.type = 'CHARGEBACK') AND o.type <> 'TOPUP')
                    OR bool_or(r.asset_id <> o.asset_id)
                 LIMIT ?
                """;

    private static final String STORED_BALANCES = """
                SELECT w.id, w.owner_id, w.balance, COALESCE(s.total, 0) AS total
                  FROM {schema}.wallets w
                  LEFT JOIN (SELECT e.wallet_id, sum(%s) AS total
                               FROM {schema}.ledger_entries e
                              WHERE e.wallet_id BETWEEN ? AND ?
                              GROUP BY e.wallet_id) s ON s.wallet_id = w.id
                 WHERE w.kind = 'USER' AND w.id BETWEEN ? AND ?
                   AND w.balance <> COALESCE(s.total, 0)
                 ORDER BY w.id
                 LIMIT ?
                """.formatted(SIGNED);

    private static final String BALANCE_CHAIN = """
                SELECT c.wallet_id, c.id, c.balance_after, c.running, c.kind, c.overdrawn
                  FROM (SELECT e.wallet_id, e.id, e.balance_after, w.kind,
                               sum(%s) OVER (PARTITION BY e.wallet_id ORDER BY e.id) AS running,
                               (e.direction = 'DEBIT' AND e.amount > 0 AND e.balance_after < 0
                                AND NOT (t.type = 'CHARGEBACK' AND t.request ->> 'policy' = 'debt')) AS overdrawn
                          FROM {schema}.ledger_entries e
                          JOIN {schema}.wallets w ON w.id = e.wallet_id
                          JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                         WHERE e.wallet_id BETWEEN ? AND ?) c
                 WHERE (c.kind = 'USER' AND (c.balance_after IS DISTINCT FROM c.running OR c.overdrawn))
                    OR (c.kind = 'SYSTEM' AND c.balance_after IS NOT NULL)
                 ORDER BY c.wallet_id, c.id
                 LIMIT ?
                """.formatted(SIGNED);

    /** A main account's count against its wallet's accounts, and an account whose wallet has no main one. */
    private static final String ACCOUNT_COUNTS = """
                SELECT m.id, m.owner_id, COALESCE(m.accounts, 1) AS counted, c.accounts
                  FROM {schema}.wallets m
                 CROSS JOIN LATERAL (SELECT count(*) AS accounts FROM {schema}.wallets w
                                      WHERE w.kind = 'USER' AND w.owner_id = m.owner_id
                                        AND w.asset_id = m.asset_id) c
                 WHERE m.kind = 'USER' AND m.account = 'main' AND m.id BETWEEN ? AND ?
                   AND COALESCE(m.accounts, 1) <> c.accounts
                UNION ALL
                SELECT o.id, o.owner_id, NULL, NULL
                  FROM {schema}.wallets o
                 WHERE o.kind = 'USER' AND o.account <> 'main' AND o.id BETWEEN ? AND ?
                   AND NOT EXISTS (SELECT 1 FROM {schema}.wallets m WHERE m.kind = 'USER'
                                      AND m.owner_id = o.owner_id AND m.asset_id = o.asset_id AND m.account = 'main')
                 LIMIT ?
                """;

    /**
     * References and outcomes (V3): a bound reference with no outcome or with two, an outcome under a reference
     * that is not bound, a refusal recorded with a code that binds nothing.
     */
    private static final String REFERENCES = """
                SELECT r.reference_id,
                       CASE WHEN t.reference_id IS NULL THEN 'is bound to no outcome'
                            ELSE 'is bound to a transaction and a refusal' END AS problem
                  FROM {schema}.ledger_references r
                  LEFT JOIN {schema}.ledger_transactions t ON t.reference_id = r.reference_id
                  LEFT JOIN {schema}.ledger_refusals f ON f.reference_id = r.reference_id
                 WHERE (t.reference_id IS NULL) = (f.reference_id IS NULL)
                UNION ALL
                SELECT t.reference_id, 'has a transaction but is not bound'
                  FROM {schema}.ledger_transactions t
                 WHERE NOT EXISTS (SELECT 1 FROM {schema}.ledger_references r WHERE r.reference_id = t.reference_id)
                UNION ALL
                SELECT f.reference_id, 'has a refusal but is not bound'
                  FROM {schema}.ledger_refusals f
                 WHERE NOT EXISTS (SELECT 1 FROM {schema}.ledger_references r WHERE r.reference_id = f.reference_id)
                UNION ALL
                SELECT f.reference_id, 'is refused with ' || f.error_code || ', a code that binds no reference'
                  FROM {schema}.ledger_refusals f
                 WHERE NOT f.error_code = ANY (?)
                 LIMIT ?
                """;

    /**
     * Holds (V4): each hold's row is what its transactions say (one hold transaction at its amount; captured and
     * released their sums; what remains, the status and at most one closing transaction), every hold transaction
     * has its hold, and each held account holds what its wallet's open holds still hold.
     */
    private static final String HOLDS = """
                WITH moves AS (
                    SELECT t.hold_id, t.type, t.amount, t.hold_remaining,
                           COALESCE((SELECT sum(e.amount) FROM {schema}.ledger_entries e
                                       JOIN {schema}.wallets w ON w.id = e.wallet_id
                                      WHERE e.transaction_id = t.id AND e.direction = 'CREDIT'
                                        AND ((w.kind = 'USER' AND w.account <> 'held')
                                             OR (w.kind = 'SYSTEM' AND w.owner_id = 'BREAKAGE'))), 0) AS released
                      FROM {schema}.ledger_transactions t
                     WHERE t.hold_id IS NOT NULL
                ), sums AS (
                    SELECT hold_id, count(*) FILTER (WHERE type = 'HOLD') AS holds,
                           max(amount) FILTER (WHERE type = 'HOLD') AS held,
                           COALESCE(sum(released) FILTER (WHERE type <> 'HOLD'), 0) AS released,
                           COALESCE(sum(amount - released) FILTER (WHERE type <> 'HOLD'), 0) AS captured,
                           COALESCE(sum(amount) FILTER (WHERE type <> 'HOLD'), 0) AS given,
                           min(hold_remaining) AS remaining,
                           count(*) FILTER (WHERE hold_remaining = 0) AS closings,
                           max(type) FILTER (WHERE hold_remaining = 0) AS closed_by
                      FROM moves GROUP BY hold_id
                ), open_holds AS (
                    SELECT owner_id, asset_id, sum(amount - captured - released) AS remaining
                      FROM {schema}.ledger_holds WHERE status = 'OPEN' GROUP BY owner_id, asset_id
                )
                SELECT 'hold ' || COALESCE(h.id, s.hold_id) AS subject,
                       CASE WHEN h.id IS NULL THEN 'has transactions but no hold'
                            WHEN s.hold_id IS NULL THEN 'has no hold transaction'
                            ELSE 'is not what its transactions say (amount ' || h.amount || ', captured '
                                 || h.captured || ' of ' || s.captured || ', released ' || h.released || ' of '
                                 || s.released || ', status ' || h.status || ')' END AS problem
                  FROM {schema}.ledger_holds h
                  FULL JOIN sums s ON s.hold_id = h.id
                 WHERE h.id IS NULL OR s.hold_id IS NULL OR s.holds <> 1 OR s.held <> h.amount
                    OR s.captured <> h.captured OR s.released <> h.released OR s.closings > 1
                    OR s.remaining <> h.amount - s.given OR s.given > h.amount
                    OR h.status <> CASE WHEN s.remaining > 0 THEN 'OPEN' WHEN s.closed_by = 'CAPTURE' THEN 'CAPTURED'
                                        WHEN s.closed_by = 'VOID' THEN 'VOIDED' ELSE 'EXPIRED' END
                UNION ALL
                SELECT 'wallet ' || w.id, 'holds ' || w.balance || ' in its held account, and its open holds '
                       || COALESCE(o.remaining, 0)
                  FROM {schema}.wallets w
                  LEFT JOIN open_holds o ON o.owner_id = w.owner_id AND o.asset_id = w.asset_id
                 WHERE w.kind = 'USER' AND w.account = 'held' AND w.balance <> COALESCE(o.remaining, 0)
                UNION ALL
                SELECT 'user ' || o.owner_id, 'has open holds but no held account'
                  FROM open_holds o
                 WHERE NOT EXISTS (SELECT 1 FROM {schema}.wallets w WHERE w.kind = 'USER' AND w.owner_id = o.owner_id
                                      AND w.asset_id = o.asset_id AND w.account = 'held')
                 LIMIT ?
                """;

    /** See {@link AuditCheck#LOTS}: every transaction's postings to lots and to the spent and breakage wallets. */
    private static final String LOTS = """
                WITH postings AS (
                    SELECT t.id, t.reference_id, t.type, t.amount, t.created_at,
                           COALESCE(sum(e.amount) FILTER (WHERE w.kind = 'USER' AND w.account <> 'held'
                                                            AND e.direction = 'DEBIT'
                                                            AND {schema}.lot_class(w.account) = 'PAID'), 0) AS paid_out,
                           COALESCE(sum(e.amount) FILTER (WHERE w.kind = 'USER' AND w.account <> 'held'
                                                            AND e.direction = 'DEBIT'
                                                            AND {schema}.lot_class(w.account) = 'FREE'), 0) AS free_out,
                           COALESCE(sum(e.amount) FILTER (WHERE w.kind = 'SYSTEM' AND w.owner_id = 'REVENUE'
                                                            AND e.direction = 'CREDIT'), 0) AS revenue_in,
                           COALESCE(sum(e.amount) FILTER (WHERE w.kind = 'SYSTEM' AND w.owner_id = 'PROMO_REDEEMED'
                                                            AND e.direction = 'CREDIT'), 0) AS promo_in,
                           COALESCE(sum(e.amount) FILTER (WHERE w.kind = 'SYSTEM' AND w.owner_id = 'BREAKAGE'
                                                            AND e.direction = 'CREDIT'), 0) AS breakage_in,
                           count(*) FILTER (WHERE w.kind = 'USER' AND {schema}.lot_expiry(w.account) <= t.created_at)
                               AS expired,
                           count(*) FILTER (WHERE w.kind = 'USER' AND {schema}.lot_expiry(w.account) <= t.created_at
                                              AND e.direction = 'DEBIT' AND e.balance_after = 0
                                              AND t.reference_id = 'wallet-ledger:lot-expiry:' || w.id) AS expiries,
                           count(*) FILTER (WHERE w.kind = 'USER' AND w.account = 'main' AND e.direction = 'DEBIT'
                                              AND t.reference_id = 'wallet-ledger:lot-split:' || w.id) AS split_from,
                           count(*) FILTER (WHERE w.kind = 'USER' AND w.account = 'free' AND e.direction = 'CREDIT')
                               AS split_to,
                           count(DISTINCT w.owner_id) FILTER (WHERE w.kind = 'USER') AS owners,
                           count(*) AS entries
                      FROM {schema}.ledger_transactions t
                      JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                      JOIN {schema}.wallets w ON w.id = e.wallet_id
                     GROUP BY t.id
                )
                SELECT id || ' (' || reference_id || ')' AS subject,
                       CASE WHEN type = 'SPEND' AND NOT (revenue_in = paid_out AND promo_in = free_out)
                            THEN 'a spend of ' || paid_out || ' paid and ' || free_out || ' free coins credits '
                                 || revenue_in || ' to REVENUE and ' || promo_in || ' to PROMO_REDEEMED'
                            WHEN type <> 'LOT_EXPIRY' AND expired > 0
                            THEN 'a ' || type || ' posts to a lot at or after its expiry'
                            WHEN type = 'LOT_SPLIT'
                            THEN 'a lot split that does not move one wallet''s main account to its free lot under its'
                                 || ' reference'
                            ELSE 'a lot expiry that does not take one whole expired lot to BREAKAGE under its reference'
                       END AS problem
                  FROM postings
                 WHERE (type = 'SPEND' AND NOT (revenue_in = paid_out AND promo_in = free_out))
                    OR (type <> 'LOT_EXPIRY' AND expired > 0)
                    OR (type = 'LOT_EXPIRY' AND NOT (entries = 2 AND expired = 1 AND expiries = 1
                                                     AND breakage_in = amount))
                    OR (type = 'LOT_SPLIT' AND NOT (entries = 2 AND split_from = 1 AND split_to = 1 AND owners = 1))
                 ORDER BY created_at, id
                 LIMIT ?
                """;

    /**
     * See {@link AuditCheck#EVENTS} (V6): each transaction against its event (none only for the history from before
     * the feed started, counted by the sequencer), each controls change against its event, each event against its
     * subject, the positions given against the sequencer's count, and along each wallet (owner, asset) the positions
     * of its transactions against the order of their entries.
     */
    private static final String EVENTS = """
                WITH feed AS (
                    SELECT placed, started_at, transactions_before FROM {schema}.ledger_event_sequencer WHERE id = 1
                ), told AS (
                    SELECT t.id, t.reference_id, t.type, t.created_at, ev.id AS event_id, ev.type AS event_type,
                           ev.created_at AS event_at
                      FROM {schema}.ledger_transactions t
                      LEFT JOIN {schema}.ledger_events ev ON ev.transaction_id = t.id
                ), changes AS (
                    SELECT c.id, c.owner_id, c.created_at,
                           CASE WHEN c.status = COALESCE(lag(c.status) OVER w, 'ACTIVE') THEN 'wallet.limits_changed'
                                WHEN c.status = 'FROZEN' THEN 'wallet.frozen'
                                WHEN c.status = 'CLOSED' THEN 'wallet.closed'
                                WHEN lag(c.status) OVER w = 'FROZEN' THEN 'wallet.unfrozen'
                                ELSE 'wallet.reopened' END AS expected
                      FROM {schema}.ledger_controls c
                    WINDOW w AS (PARTITION BY c.owner_id, c.asset_id ORDER BY c.id)
                ), moves AS (
                    SELECT w.owner_id, w.asset_id, e.transaction_id, min(e.id) AS first_entry
                      FROM {schema}.ledger_entries e
                      JOIN {schema}.wallets w ON w.id = e.wallet_id
                     WHERE w.kind = 'USER'
                     GROUP BY w.owner_id, w.asset_id, e.transaction_id
                ), placed AS (
                    SELECT m.owner_id, m.asset_id, m.transaction_id, ev.position,
                           lag(ev.position) OVER w AS position_before, lag(m.transaction_id) OVER w AS transaction_before
                      FROM moves m
                      JOIN {schema}.ledger_events ev ON ev.transaction_id = m.transaction_id
                     WHERE ev.position IS NOT NULL
                    WINDOW w AS (PARTITION BY m.owner_id, m.asset_id ORDER BY m.first_entry)
                )
                SELECT 'transaction ' || t.id || ' (' || t.reference_id || ')' AS subject,
                       CASE WHEN t.event_id IS NULL
                            THEN 'has no event, and is dated ' || t.created_at || ', after the feed started at '
                                 || f.started_at
                            ELSE 'is told by event ' || t.event_id || ' as ' || t.event_type || ' at ' || t.event_at
                                 || ', not as ' || {schema}.event_type(t.type) || ' at ' || t.created_at END AS problem
                  FROM told t CROSS JOIN feed f
                 WHERE (t.event_id IS NULL AND t.created_at > f.started_at)
                    OR (t.event_id IS NOT NULL AND (t.event_type IS DISTINCT FROM {schema}.event_type(t.type)
                                                    OR t.event_at IS DISTINCT FROM t.created_at))
                UNION ALL
                SELECT 'the feed', n.untold || ' transactions have no event, but ' || f.transactions_before
                       || ' were there when the feed started (they alone have none)'
                  FROM feed f CROSS JOIN (SELECT count(*) AS untold FROM told WHERE event_id IS NULL) n
                 WHERE n.untold <> f.transactions_before
                UNION ALL
                SELECT 'transaction ' || id, 'is told by ' || count(*) || ' events'
                  FROM told WHERE event_id IS NOT NULL GROUP BY id HAVING count(*) > 1
                UNION ALL
                SELECT 'controls change ' || c.id || ' (' || c.owner_id || ')',
                       CASE WHEN count(ev.id) = 0 THEN 'has no event'
                            WHEN count(ev.id) > 1 THEN 'is told by ' || count(ev.id) || ' events'
                            ELSE 'is told as ' || max(ev.type) || ' at ' || max(ev.created_at) || ', not as '
                                 || c.expected || ' at ' || c.created_at END
                  FROM changes c
                  LEFT JOIN {schema}.ledger_events ev ON ev.control_id = c.id
                 GROUP BY c.id, c.owner_id, c.expected, c.created_at
                HAVING count(ev.id) <> 1 OR max(ev.type) <> c.expected OR max(ev.created_at) <> c.created_at
                UNION ALL
                SELECT 'event ' || ev.id,
                       CASE WHEN (ev.transaction_id IS NULL) = (ev.control_id IS NULL)
                            THEN 'tells no change, or two'
                            WHEN ev.transaction_id IS NOT NULL
                            THEN 'tells transaction ' || ev.transaction_id || ', which does not exist'
                            ELSE 'tells controls change ' || ev.control_id || ', which does not exist' END
                  FROM {schema}.ledger_events ev
                 WHERE (ev.transaction_id IS NULL) = (ev.control_id IS NULL)
                    OR (ev.transaction_id IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM {schema}.ledger_transactions t WHERE t.id = ev.transaction_id))
                    OR (ev.control_id IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM {schema}.ledger_controls c WHERE c.id = ev.control_id))
                UNION ALL
                SELECT 'the feed', 'the sequencer gave positions 1 to ' || f.placed || ', but the events hold '
                       || p.positions || ' positions (' || p.distinct_positions || ' distinct) from '
                       || COALESCE(p.low::text, 'none') || ' to ' || COALESCE(p.high::text, 'none')
                  FROM feed f
                 CROSS JOIN (SELECT count(position) AS positions, count(DISTINCT position) AS distinct_positions,
                                    min(position) AS low, max(position) AS high
                               FROM {schema}.ledger_events) p
                 WHERE p.positions <> f.placed OR p.distinct_positions <> f.placed
                    OR (f.placed > 0 AND (p.low <> 1 OR p.high <> f.placed))
                UNION ALL
                SELECT 'wallet ' || p.owner_id || ' (asset ' || p.asset_id || ')',
                       'transaction ' || p.transaction_id || ' is at position ' || p.position || ' of the feed, before '
                       || p.transaction_before || ' at ' || p.position_before || ', whose entries come first'
                  FROM placed p
                 WHERE p.position < p.position_before
                 LIMIT ?
                """;

    /**
     * See {@link AuditCheck#CONTROLS} (V6): each main account's controls against its latest record, other accounts
     * against the defaults, each day's spend count against the day's spends, and each user operation of a wallet with
     * a controls record against the record in force at its time (the latest one dated before it).
     */
    private static final String CONTROLS = """
                WITH moved AS ( -- per wallet with a controls record and transaction: what it took, whether it touched
                    SELECT w.owner_id, w.asset_id, t.id, t.reference_id, t.type, t.created_at,
                           COALESCE(sum(e.amount) FILTER (WHERE w.account <> 'held' AND e.direction = 'DEBIT'
                                                            AND t.type IN ('SPEND', 'TRANSFER', 'HOLD')), 0) AS spent,
                           COALESCE(sum(%1$s) FILTER (WHERE w.account <> 'held'), 0) AS net
                      FROM {schema}.ledger_transactions t
                      JOIN {schema}.ledger_entries e ON e.transaction_id = t.id
                      JOIN {schema}.wallets w ON w.id = e.wallet_id
                     WHERE w.kind = 'USER'
                       AND EXISTS (SELECT 1 FROM {schema}.ledger_controls c
                                    WHERE c.owner_id = w.owner_id AND c.asset_id = w.asset_id)
                     GROUP BY w.owner_id, w.asset_id, t.id
                ), judged AS (
                    SELECT m.*, c.id AS control_id, c.status, c.daily_spend_limit,
                           sum(m.spent) OVER (PARTITION BY m.owner_id, m.asset_id,
                                                           (m.created_at AT TIME ZONE 'UTC')::date
                                              ORDER BY m.created_at) AS day_spent
                      FROM moved m
                      LEFT JOIN LATERAL (SELECT c.id, c.status, c.daily_spend_limit FROM {schema}.ledger_controls c
                                          WHERE c.owner_id = m.owner_id AND c.asset_id = m.asset_id
                                            AND c.created_at < m.created_at
                                          ORDER BY c.id DESC LIMIT 1) c ON true
                )
                SELECT 'wallet ' || w.id || ' (' || w.owner_id || ')' AS subject,
                       'holds controls ' || w.status || ', max balance ' || COALESCE(w.max_balance::text, 'none')
                       || ', daily spend limit ' || COALESCE(w.daily_spend_limit::text, 'none') || ' of record '
                       || COALESCE(w.control_id::text, 'none') || ', but its latest record '
                       || COALESCE(c.id::text, '(none)') || ' says ' || COALESCE(c.status, 'ACTIVE') || ', '
                       || COALESCE(c.max_balance::text, 'none') || ', ' || COALESCE(c.daily_spend_limit::text, 'none')
                       AS problem
                  FROM {schema}.wallets w
                  LEFT JOIN LATERAL (SELECT * FROM {schema}.ledger_controls c
                                      WHERE c.owner_id = w.owner_id AND c.asset_id = w.asset_id
                                      ORDER BY c.id DESC LIMIT 1) c ON true
                 WHERE w.kind = 'USER' AND w.account = 'main'
                   AND (w.control_id IS DISTINCT FROM c.id OR w.status <> COALESCE(c.status, 'ACTIVE')
                        OR w.max_balance IS DISTINCT FROM c.max_balance
                        OR w.daily_spend_limit IS DISTINCT FROM c.daily_spend_limit)
                UNION ALL
                SELECT 'wallet ' || w.id || ' (' || w.owner_id || ')',
                       'is not a user''s main account, yet carries controls or a spend count'
                  FROM {schema}.wallets w
                 WHERE NOT (w.kind = 'USER' AND w.account = 'main')
                   AND (w.status <> 'ACTIVE' OR w.max_balance IS NOT NULL OR w.daily_spend_limit IS NOT NULL
                        OR w.spent_on IS NOT NULL OR w.spent <> 0 OR w.control_id IS NOT NULL)
                UNION ALL
                SELECT 'user ' || c.owner_id || ' (asset ' || c.asset_id || ')',
                       'has controls records but no main account'
                  FROM (SELECT DISTINCT owner_id, asset_id FROM {schema}.ledger_controls) c
                 WHERE NOT EXISTS (SELECT 1 FROM {schema}.wallets w WHERE w.kind = 'USER' AND w.owner_id = c.owner_id
                                      AND w.asset_id = c.asset_id AND w.account = 'main')
                UNION ALL
                SELECT 'wallet ' || w.id || ' (' || w.owner_id || ')',
                       CASE WHEN w.daily_spend_limit IS NULL
                            THEN 'counts ' || w.spent || ' spent on ' || COALESCE(w.spent_on::text, 'no day')
                                 || ' without a daily spend limit'
                            ELSE 'counts ' || w.spent || ' spent on ' || COALESCE(w.spent_on::text, 'no day')
                                 || ', but its spends, transfers out and holds of that day sum to ' || s.spent END
                  FROM {schema}.wallets w
                 CROSS JOIN LATERAL (
                       SELECT COALESCE(sum(e.amount), 0) AS spent
                         FROM {schema}.wallets a
                         JOIN {schema}.ledger_entries e ON e.wallet_id = a.id
                         JOIN {schema}.ledger_transactions t ON t.id = e.transaction_id
                        WHERE a.kind = 'USER' AND a.owner_id = w.owner_id AND a.asset_id = w.asset_id
                          AND a.account <> 'held' AND e.direction = 'DEBIT' AND t.type IN ('SPEND', 'TRANSFER', 'HOLD')
                          AND t.created_at >= (w.spent_on::timestamp AT TIME ZONE 'UTC')
                          AND t.created_at < ((w.spent_on + 1)::timestamp AT TIME ZONE 'UTC')) s
                 WHERE w.kind = 'USER' AND w.account = 'main'
                   AND CASE WHEN w.daily_spend_limit IS NULL THEN w.spent_on IS NOT NULL OR w.spent <> 0
                            ELSE w.spent <> s.spent END
                UNION ALL
                SELECT 'transaction ' || j.id || ' (' || j.reference_id || ')',
                       CASE WHEN j.status = 'CLOSED' THEN 'a ' || j.type || ' of user ' || j.owner_id
                                 || ', whose wallet was closed by controls change ' || j.control_id
                            WHEN j.status = 'FROZEN' AND j.net < 0 THEN 'a ' || j.type || ' taking ' || -j.net
                                 || ' from user ' || j.owner_id || ', whose wallet was frozen by controls change '
                                 || j.control_id
                            ELSE 'takes the day''s spends of user ' || j.owner_id || ' to ' || j.day_spent
                                 || ', past the daily spend limit ' || j.daily_spend_limit || ' of controls change '
                                 || j.control_id END
                  FROM judged j
                 WHERE (j.status = 'CLOSED' AND j.type IN ('TOPUP', 'BONUS', 'SPEND', 'TRANSFER', 'HOLD', 'CAPTURE'))
                    OR (j.status = 'FROZEN' AND j.type IN ('SPEND', 'TRANSFER', 'HOLD') AND j.net < 0)
                    OR (j.spent > 0 AND j.day_spent > j.daily_spend_limit)
                 LIMIT ?
                """.formatted(SIGNED);

    private static final String WALLETS_IN_RANGE =
            "SELECT count(*) AS wallets FROM {schema}.wallets WHERE id BETWEEN ? AND ?";

    Audit(SqlText sql, Anchors anchors) {
        this.sql = sql;
        this.anchors = anchors;
        this.guards = new Guards(sql);
        this.counts = sql.format(COUNTS);
        this.conservation = sql.format(CONSERVATION);
        this.transactionShape = sql.format(TRANSACTION_SHAPE);
        this.takenBack = sql.format(TAKEN_BACK);
        this.storedBalances = sql.format(STORED_BALANCES);
        this.balanceChain = sql.format(BALANCE_CHAIN);
        this.accountCounts = sql.format(ACCOUNT_COUNTS);
        this.references = sql.format(REFERENCES);
        this.holds = sql.format(HOLDS);
        this.lots = sql.format(LOTS);
        this.events = sql.format(EVENTS);
        this.controls = sql.format(CONTROLS);
        this.walletsInRange = sql.format(WALLETS_IN_RANGE);
    }

    /**
     * {@code CASE t.type WHEN 'TOPUP' THEN ARRAY['TREASURY'] ... END}: the SYSTEM wallets each type may post
     * to, from {@link OperationType#systemWallets()}, the same list the database's trigger holds.
     */
    private static String systemWalletsByType() {
        return Arrays.stream(OperationType.values())
                .map(type -> "WHEN '" + type.name() + "' THEN ARRAY["
                        + type.systemWallets().stream()
                                .map(SystemWallet::name)
                                .map(name -> "'" + name + "'")
                                .collect(Collectors.joining(", "))
                        + "]::varchar[]")
                .collect(Collectors.joining(" ", "CASE t.type ", " ELSE ARRAY[]::varchar[] END"));
    }

    /** {@code anchor} may be null: then no anchor is checked. */
    AuditReport verify(Connection connection, AuditProgress progress, Anchor anchor) throws SQLException {
        long started = System.nanoTime();
        Findings findings = new Findings();
        long[] totals = counts(connection);
        checkLedger(connection, findings);
        ChainWalk chains = new ChainWalk(sql, anchor == null ? -1 : anchor.entryId(), findings);
        checkWallets(connection, totals[4], totals[1], progress, findings, chains);
        if (anchor != null) {
            checkAnchor(connection, anchor, chains, findings);
        }
        return new AuditReport(
                totals[0],
                totals[1],
                totals[2],
                totals[3],
                findings.listed,
                findings.counts,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Assets, wallets, transactions, entries, and the highest wallet id. */
    private long[] counts(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(counts);
                ResultSet row = statement.executeQuery()) {
            row.next();
            return new long[] {
                row.getLong("assets"),
                row.getLong("wallets"),
                row.getLong("transactions"),
                row.getLong("entries"),
                row.getLong("max_wallet_id")
            };
        }
    }

    /**
     * The checks over the whole ledger at once: conservation, transactions' shapes, take-backs, references and
     * their outcomes, the guards.
     */
    private void checkLedger(Connection connection, Findings findings) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(conservation);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                if (rows.getBigDecimal("total").signum() != 0) {
                    findings.add(
                            AuditCheck.CONSERVATION,
                            rows.getString("code"),
                            "user balances plus system entries sum to " + rows.getBigDecimal("total") + ", not 0");
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(transactionShape)) {
            statement.setInt(1, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String subject = rows.getString("id") + " (" + rows.getString("reference_id") + ")";
                    BigDecimal imbalance = rows.getBigDecimal("imbalance");
                    if (imbalance.signum() != 0) {
                        findings.add(AuditCheck.TRANSACTION_BALANCE, subject, "debits minus credits is " + imbalance);
                    } else {
                        findings.add(
                                AuditCheck.TRANSACTION_SHAPE,
                                subject,
                                rows.getLong("entries")
                                        + " entries; a transaction is two or more postings in its asset, with a"
                                        + " USER posting, whose debits sum to its amount, on the SYSTEM wallets"
                                        + " its type may use");
                    }
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(takenBack)) {
            statement.setInt(1, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    findings.add(
                            AuditCheck.REVERSAL_TOTAL,
                            rows.getString("id") + " (" + rows.getString("reference_id") + ")",
                            "a " + rows.getString("type") + " of " + rows.getLong("amount") + " is taken back by "
                                    + rows.getBigDecimal("taken")
                                    + " in all, by what may not take it back, or in another asset");
                }
            }
        }
        checkReferences(connection, findings);
        checkHolds(connection, findings);
        checkLots(connection, findings);
        checkBySubject(connection, events, AuditCheck.EVENTS, findings);
        checkBySubject(connection, controls, AuditCheck.CONTROLS, findings);
        guards.check(connection, findings);
    }

    /** A check whose query lists its findings as (subject, problem), bounded by its last parameter. */
    private static void checkBySubject(Connection connection, String query, AuditCheck check, Findings findings)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setInt(1, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    findings.add(check, rows.getString("subject"), rows.getString("problem"));
                }
            }
        }
    }

    private void checkLots(Connection connection, Findings findings) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(lots)) {
            statement.setInt(1, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    findings.add(AuditCheck.LOTS, rows.getString("subject"), rows.getString("problem"));
                }
            }
        }
    }

    private void checkHolds(Connection connection, Findings findings) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(holds)) {
            statement.setInt(1, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    findings.add(AuditCheck.HOLDS, rows.getString("subject"), rows.getString("problem"));
                }
            }
        }
    }

    private void checkReferences(Connection connection, Findings findings) throws SQLException {
        String[] binding = Arrays.stream(ErrorCode.values())
                .filter(ErrorCode::binds)
                .map(ErrorCode::name)
                .toArray(String[]::new);
        try (PreparedStatement statement = connection.prepareStatement(references)) {
            statement.setArray(1, connection.createArrayOf("text", binding));
            statement.setInt(2, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    findings.add(
                            AuditCheck.REFERENCES,
                            "reference " + rows.getString("reference_id"),
                            rows.getString("problem"));
                }
            }
        }
    }

    private void checkWallets(
            Connection connection,
            long maxWalletId,
            long walletCount,
            AuditProgress progress,
            Findings findings,
            ChainWalk chains)
            throws SQLException {
        long range = Math.max(RANGE_MIN, (maxWalletId + RANGES_MAX - 1) / RANGES_MAX);
        long checked = 0;
        progress.progressed(0, walletCount);
        for (long low = 1; low <= maxWalletId; low += range) {
            long high = Math.min(maxWalletId, low + range - 1);
            checkStoredBalances(connection, low, high, findings);
            checkBalanceChains(connection, low, high, findings);
            checkAccountCounts(connection, low, high, findings);
            chains.walk(connection, low, high);
            // Wallets, not ids: identities have gaps (a wallet creation that met an existing one used an id).
            checked += walletsBetween(connection, low, high);
            progress.progressed(checked, walletCount);
        }
    }

    private void checkStoredBalances(Connection connection, long low, long high, Findings findings)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(storedBalances)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            statement.setLong(3, low);
            statement.setLong(4, high);
            statement.setInt(5, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    findings.add(
                            AuditCheck.STORED_BALANCE,
                            "wallet " + rows.getLong("id") + " (" + rows.getString("owner_id") + ")",
                            "stored balance " + rows.getLong("balance") + " but its entries sum to "
                                    + rows.getBigDecimal("total"));
                }
            }
        }
    }

    private void checkBalanceChains(Connection connection, long low, long high, Findings findings) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(balanceChain)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            statement.setInt(3, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String subject = "wallet " + rows.getLong("wallet_id") + " entry " + rows.getLong("id");
                    String after = rows.getString("balance_after");
                    if (rows.getBoolean("overdrawn")) {
                        findings.add(
                                AuditCheck.NEGATIVE_BALANCE,
                                subject,
                                "a debit left the balance at " + after + ", below zero, outside a debt chargeback");
                    } else {
                        findings.add(
                                AuditCheck.BALANCE_CHAIN,
                                subject,
                                rows.getString("kind").equals("SYSTEM")
                                        ? "a SYSTEM entry carries a balance_after"
                                        : "balance_after " + after + " but the entries up to it sum to "
                                                + rows.getBigDecimal("running"));
                    }
                }
            }
        }
    }

    private void checkAccountCounts(Connection connection, long low, long high, Findings findings) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(accountCounts)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            statement.setLong(3, low);
            statement.setLong(4, high);
            statement.setInt(5, AuditReport.VIOLATIONS_MAX);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String subject = "wallet " + rows.getLong("id") + " (" + rows.getString("owner_id") + ")";
                    long counted = rows.getLong("counted");
                    findings.add(
                            AuditCheck.ACCOUNT_COUNT,
                            subject,
                            rows.wasNull()
                                    ? "an account whose wallet has no main account"
                                    : "its main account counts " + counted + " accounts, but the wallet has "
                                            + rows.getLong("accounts"));
                }
            }
        }
    }

    private long walletsBetween(Connection connection, long low, long high) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(walletsInRange)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong("wallets");
            }
        }
    }

    private void checkAnchor(Connection connection, Anchor anchor, ChainWalk chains, Findings findings)
            throws SQLException {
        long last = anchors.lastEntryId(connection);
        if (anchor.entryId() > last) {
            findings.add(
                    AuditCheck.ANCHOR,
                    anchor.toString(),
                    "the anchor names entry " + anchor.entryId() + " but the ledger ends at entry " + last
                            + ": history was removed");
        } else if (!chains.anchorDigest().equals(anchor.digest())) {
            findings.add(
                    AuditCheck.ANCHOR,
                    anchor.toString(),
                    "history up to entry " + anchor.entryId()
                            + " is not what it was when the anchor was taken (digest now " + chains.anchorDigest()
                            + ")");
        }
    }
}
