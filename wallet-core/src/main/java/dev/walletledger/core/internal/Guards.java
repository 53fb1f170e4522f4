package dev.walletledger.core.internal;

import dev.walletledger.core.AuditCheck;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The database's guards: every trigger the migrations create on the ledger's tables, each of which must exist
 * and fire always ({@code ENABLE ALWAYS}: {@code session_replication_role = replica} cannot switch it off). A
 * superuser who disables them, edits rows and enables them again with a plain {@code ENABLE} leaves them
 * weaker than before, and the hash chains may not show it: this check does ({@code guards}). {@code
 * SchemaTest} holds the list to the migrations: no trigger more, none less.
 */
final class Guards {
    /** A trigger: its table and name. */
    record Trigger(String table, String name) {}

    static final List<Trigger> EXPECTED = List.of(
            new Trigger("asset_types", "asset_types_fixed_identity"),
            new Trigger("asset_types", "asset_types_fixed_spend_order"),
            new Trigger("asset_types", "asset_types_no_delete"),
            new Trigger("asset_types", "asset_types_no_truncate"),
            new Trigger("asset_types", "asset_types_system_wallets"),
            new Trigger("ledger_controls", "ledger_controls_append_only"),
            new Trigger("ledger_controls", "ledger_controls_have_events"),
            new Trigger("ledger_controls", "ledger_controls_no_truncate"),
            new Trigger("ledger_entries", "ledger_entries_append_only"),
            new Trigger("ledger_entries", "ledger_entries_double_entry"),
            new Trigger("ledger_entries", "ledger_entries_no_truncate"),
            new Trigger("ledger_event_sequencer", "ledger_event_sequencer_no_delete"),
            new Trigger("ledger_event_sequencer", "ledger_event_sequencer_no_truncate"),
            new Trigger("ledger_events", "ledger_events_no_delete"),
            new Trigger("ledger_events", "ledger_events_no_truncate"),
            new Trigger("ledger_events", "ledger_events_placed_once"),
            new Trigger("ledger_events", "ledger_events_tell_changes"),
            new Trigger("ledger_holds", "ledger_holds_fixed_terms"),
            new Trigger("ledger_holds", "ledger_holds_match_inserted"),
            new Trigger("ledger_holds", "ledger_holds_match_updated"),
            new Trigger("ledger_holds", "ledger_holds_no_delete"),
            new Trigger("ledger_holds", "ledger_holds_no_truncate"),
            new Trigger("ledger_references", "ledger_references_append_only"),
            new Trigger("ledger_references", "ledger_references_no_truncate"),
            new Trigger("ledger_refusals", "ledger_refusals_append_only"),
            new Trigger("ledger_refusals", "ledger_refusals_bound"),
            new Trigger("ledger_refusals", "ledger_refusals_no_truncate"),
            new Trigger("ledger_transactions", "ledger_transactions_append_only"),
            new Trigger("ledger_transactions", "ledger_transactions_bound"),
            new Trigger("ledger_transactions", "ledger_transactions_have_events"),
            new Trigger("ledger_transactions", "ledger_transactions_no_truncate"),
            new Trigger("ledger_transactions", "ledger_transactions_shape"),
            new Trigger("ledger_transactions", "ledger_transactions_within_controls"),
            new Trigger("wallets", "wallets_balance_matches_entries"),
            new Trigger("wallets", "wallets_controls_recorded"),
            new Trigger("wallets", "wallets_count_accounts"),
            new Trigger("wallets", "wallets_daily_spend_limit"),
            new Trigger("wallets", "wallets_fixed_identity"),
            new Trigger("wallets", "wallets_held_matches_holds"),
            new Trigger("wallets", "wallets_no_delete"),
            new Trigger("wallets", "wallets_no_truncate"),
            new Trigger("wallets", "wallets_start_empty"),
            new Trigger("webhook_subscriptions", "webhook_subscriptions_fixed_terms"),
            new Trigger("webhook_subscriptions", "webhook_subscriptions_no_delete"),
            new Trigger("webhook_subscriptions", "webhook_subscriptions_no_truncate"));

    /**
     * Triggers that V1 left as plain {@code ENABLE}: one fires only to create an asset's SYSTEM wallets, and a
     * replica-mode session that adds an asset is not a way to weaken anything.
     */
    private static final List<String> ENABLED_ONLY = List.of("asset_types_system_wallets");

    private final String triggers;
    private final String schema;

    Guards(SqlText sql) {
        this.triggers = """
                SELECT c.relname AS table_name, t.tgname AS name, t.tgenabled AS enabled
                  FROM pg_trigger t
                  JOIN pg_class c ON c.oid = t.tgrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND NOT t.tgisinternal
                """;
        this.schema = sql.schema();
    }

    /** Reports each expected trigger that is missing, disabled, or no longer {@code ENABLE ALWAYS}. */
    void check(Connection connection, Findings findings) throws SQLException {
        Map<Trigger, String> states = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(triggers)) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    states.put(
                            new Trigger(rows.getString("table_name"), rows.getString("name")),
                            rows.getString("enabled"));
                }
            }
        }
        for (Trigger trigger : EXPECTED) {
            String state = states.get(trigger);
            String subject = "trigger " + trigger.name() + " on " + trigger.table();
            String wanted = ENABLED_ONLY.contains(trigger.name()) ? "O" : "A";
            if (state == null) {
                findings.add(AuditCheck.GUARDS, subject, "is missing: a change it refused is no longer refused");
            } else if (state.equals("D")) {
                findings.add(AuditCheck.GUARDS, subject, "is disabled");
            } else if (!state.equals(wanted) && wanted.equals("A")) {
                findings.add(
                        AuditCheck.GUARDS,
                        subject,
                        "is enabled but not ALWAYS (pg_trigger.tgenabled = '" + state
                                + "'): a session with session_replication_role = replica skips it");
            }
        }
    }
}
