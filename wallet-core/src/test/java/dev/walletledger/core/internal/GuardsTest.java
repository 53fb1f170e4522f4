package dev.walletledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.walletledger.core.OperationType;
import dev.walletledger.core.SystemWallet;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the audit and the engine say of the schema, held to the migrations themselves: the guards the audit
 * checks are every trigger the migrations create, and the SYSTEM wallets each type may post to are those the
 * database's shape trigger allows.
 */
class GuardsTest {
    @Test
    void theGuardsAreEveryTriggerTheMigrationsCreate() throws Exception {
        try (TestLedger t = TestDatabase.newLedger();
                Connection c = TestDatabase.superuser();
                PreparedStatement statement = c.prepareStatement("""
                        SELECT c.relname, t.tgname FROM pg_trigger t
                          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = ? AND NOT t.tgisinternal""")) {
            statement.setString(1, t.schema());
            Set<String> actual = new TreeSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    actual.add(rows.getString(1) + "." + rows.getString(2));
                }
            }
            Set<String> expected = new TreeSet<>();
            Guards.EXPECTED.forEach(g -> expected.add(g.table() + "." + g.name()));
            assertEquals(expected, actual);
        }
    }

    @Test
    void eachTypesSystemWalletsAreThoseTheShapeTriggerAllows() throws Exception {
        try (TestLedger t = TestDatabase.newLedger();
                Connection c = TestDatabase.superuser();
                PreparedStatement statement =
                        c.prepareStatement("SELECT pg_get_functiondef((? || '.check_new_transactions')::regproc)")) {
            statement.setString(1, t.schema());
            String source;
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                source = row.getString(1);
            }
            Map<String, List<String>> allowed = new LinkedHashMap<>();
            Matcher arm = Pattern.compile("WHEN '([A-Z_]+)' THEN ARRAY\\[([^\\]]*)\\]")
                    .matcher(source);
            while (arm.find()) {
                List<String> roles = new ArrayList<>();
                Matcher role = Pattern.compile("'([A-Z_]+)'").matcher(arm.group(2));
                while (role.find()) {
                    roles.add(role.group(1));
                }
                allowed.put(arm.group(1), roles);
            }
            for (OperationType type : OperationType.values()) {
                List<String> roles =
                        type.systemWallets().stream().map(SystemWallet::name).toList();
                assertEquals(roles, allowed.getOrDefault(type.name(), List.of()), type.name());
            }
        }
    }
}
