package dev.walletledger.core.internal;

import dev.walletledger.core.UserPage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Users whose id starts with a prefix, a page at a time, for an operator looking someone up.
 *
 * <p>{@code wallets.owner_id} is {@code COLLATE "C"}: the owner key {@code wallets_owner_key (kind, owner_id,
 * ...)} orders ids by their UTF-8 bytes, which is code point order. A prefix is then the range from the prefix
 * to the first string past every string that starts with it ({@link #upperBound}), so a page reads the index
 * from its cursor for as many rows as the page holds (times each user's wallets), however many users there are.
 */
final class UserSearch {
    /** Both ends are index conditions (no OR of a parameter), so a generic plan keeps the range too. */
    private final String bounded;

    private final String unbounded;

    UserSearch(SqlText sql) {
        String select = """
                SELECT DISTINCT w.owner_id FROM {schema}.wallets w
                 WHERE w.kind = 'USER' AND w.owner_id >= ? AND w.owner_id > ?%s
                 ORDER BY w.owner_id
                 LIMIT ?
                """;
        this.bounded = IndexPlans.pinned(sql.format(select.formatted(" AND w.owner_id < ?")));
        this.unbounded = IndexPlans.pinned(sql.format(select.formatted("")));
    }

    UserPage users(Connection connection, String prefix, String after, int limit) throws SQLException {
        String upper = upperBound(prefix);
        List<String> users = new ArrayList<>(limit + 1);
        try (PreparedStatement statement = connection.prepareStatement(upper == null ? unbounded : bounded)) {
            int p = 1;
            statement.setString(p++, prefix);
            statement.setString(p++, after == null ? "" : after);
            if (upper != null) {
                statement.setString(p++, upper);
            }
            statement.setInt(p, limit + 1);
            try (ResultSet rows = IndexPlans.query(statement)) {
                while (rows.next()) {
                    users.add(rows.getString(1));
                }
            }
        }
        Optional<String> next = Optional.empty();
        if (users.size() > limit) {
            users.remove(limit);
            next = Optional.of(users.get(limit - 1));
        }
        return new UserPage(users, next);
    }

    /**
     * The least string greater than every string that starts with {@code prefix}, in code point order: the
     * prefix with its last code point raised by one (trailing U+10FFFF dropped first). Null when there is
     * none (an empty prefix, or one made only of U+10FFFF): the range has no upper end.
     */
    static String upperBound(String prefix) {
        int end = prefix.length();
        while (end > 0) {
            int last = prefix.codePointBefore(end);
            int start = end - Character.charCount(last);
            if (last < Character.MAX_CODE_POINT) {
                int raised = last + 1;
                if (raised >= Character.MIN_SURROGATE && raised <= Character.MAX_SURROGATE) {
                    raised = Character.MAX_SURROGATE + 1; // not a character: the next one is
                }
                return prefix.substring(0, start) + Character.toString(raised);
            }
            end = start;
        }
        return null;
    }
}
