package dev.walletledger.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header row, columns padded to their widest cell and separated by two spaces,
 * numbers right-aligned. Widths count code points, so names in any script line up as long as the
 * terminal draws each code point one cell wide.
 */
final class Table {
    enum Align {
        LEFT,
        RIGHT
    }

    private final List<String> headers;
    private final List<Align> alignments;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> headers, List<Align> alignments) {
        this.headers = headers;
        this.alignments = alignments;
    }

    /** Columns as pairs of header and alignment: {@code Table.of("ASSET", LEFT, "BALANCE", RIGHT)}. */
    static Table of(Object... columns) {
        List<String> headers = new ArrayList<>();
        List<Align> alignments = new ArrayList<>();
        for (int i = 0; i < columns.length; i += 2) {
            headers.add((String) columns[i]);
            alignments.add((Align) columns[i + 1]);
        }
        return new Table(List.copyOf(headers), List.copyOf(alignments));
    }

    Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintStream out) {
        print(out, true);
    }

    /** The rows alone, aligned as if the header were there: for blocks of {@code name  value} lines. */
    void printRows(PrintStream out) {
        print(out, false);
    }

    private void print(PrintStream out, boolean withHeader) {
        int[] widths = new int[headers.size()];
        for (int column = 0; column < widths.length; column++) {
            widths[column] = withHeader ? width(headers.get(column)) : 0;
            for (List<String> row : rows) {
                widths[column] = Math.max(widths[column], width(row.get(column)));
            }
        }
        if (withHeader) {
            printRow(out, headers, widths);
        }
        rows.forEach(row -> printRow(out, row, widths));
    }

    private void printRow(PrintStream out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int column = 0; column < cells.size(); column++) {
            String cell = cells.get(column);
            String padding = " ".repeat(widths[column] - width(cell));
            boolean last = column == cells.size() - 1;
            if (column > 0) {
                line.append("  ");
            }
            if (alignments.get(column) == Align.RIGHT) {
                line.append(padding).append(cell);
            } else {
                line.append(cell).append(last ? "" : padding); // no trailing spaces
            }
        }
        out.println(line);
    }

    private static int width(String cell) {
        return cell.codePointCount(0, cell.length());
    }
}
