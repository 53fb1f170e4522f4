package dev.walletledger.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The columns of rows sent to PostgreSQL as parallel arrays, each described once: its name, its SQL type and
 * how to read its value from a row. The SQL ({@code unnest(?::uuid[], ?::text[]) AS v(id, type)}) and the
 * bindings both come from the description, so no array is bound by a position far from its name. One
 * statement writes many rows in one round trip this way, as jdbi's bind-list does.
 */
final class Columns<T> {
    /** One column: its name in the SQL, its PostgreSQL element type, and its value in a row (null allowed). */
    record Column<T>(String name, String sqlType, Function<T, Object> value) {}

    private final List<Column<T>> columns;

    private Columns(List<Column<T>> columns) {
        this.columns = List.copyOf(columns);
    }

    @SafeVarargs
    static <T> Columns<T> of(Column<T>... columns) {
        return new Columns<>(List.of(columns));
    }

    static <T> Column<T> column(String name, String sqlType, Function<T, Object> value) {
        return new Column<>(name, sqlType, value);
    }

    /** {@code unnest(?::uuid[], ?::text[]) AS alias(id, type)}: one parameter per column, in order. */
    String unnest(String alias) {
        return "unnest("
                + columns.stream().map(c -> "?::" + c.sqlType() + "[]").collect(Collectors.joining(", "))
                + ") AS " + alias + "(" + names() + ")";
    }

    /** The column names, comma-separated, in order. */
    String names() {
        return columns.stream().map(Column::name).collect(Collectors.joining(", "));
    }

    /** {@code alias.a, alias.b}: the columns qualified, in order. */
    String names(String alias) {
        return columns.stream().map(c -> alias + "." + c.name()).collect(Collectors.joining(", "));
    }

    int size() {
        return columns.size();
    }

    /**
     * Binds {@code rows} as one array per column, from parameter {@code first} on; returns the next free
     * parameter index.
     */
    int bind(Connection connection, PreparedStatement statement, int first, List<T> rows) throws SQLException {
        int index = first;
        for (Column<T> column : columns) {
            List<Object> values = new ArrayList<>(rows.size());
            for (T row : rows) {
                values.add(column.value().apply(row));
            }
            statement.setArray(index++, connection.createArrayOf(column.sqlType(), values.toArray()));
        }
        return index;
    }
}
