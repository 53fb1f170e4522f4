package dev.walletledger.runtime;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Whether the database keeps an acknowledged commit across a crash. A kill -9 test cannot prove fsync
 * (the OS cache survives the process), so the settings are checked at startup instead.
 */
public final class Durability {
    /** The settings that must be {@code on}; each one off can lose or corrupt acknowledged commits. */
    public static final List<String> SETTINGS = List.of("fsync", "synchronous_commit", "full_page_writes");

    private Durability() {}

    /**
     * The durability settings that are not on, as {@code name=value} (empty when the database is durable).
     * {@code synchronous_commit} counts as durable at {@code on}, {@code remote_write}, {@code remote_apply}
     * and {@code local}: each waits for the local WAL flush.
     */
    public static List<String> check(DataSource dataSource) throws SQLException {
        List<String> off = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            for (String setting : SETTINGS) {
                try (ResultSet row = statement.executeQuery("SHOW " + setting)) {
                    row.next();
                    String value = row.getString(1);
                    if (!durable(setting, value)) {
                        off.add(setting + "=" + value);
                    }
                }
            }
        }
        return List.copyOf(off);
    }

    private static boolean durable(String setting, String value) {
        if (setting.equals("synchronous_commit")) {
            return List.of("on", "remote_write", "remote_apply", "local").contains(value);
        }
        return value.equals("on");
    }
}
