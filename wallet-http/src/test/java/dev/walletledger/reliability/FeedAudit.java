package dev.walletledger.reliability;

import dev.walletledger.core.AuditCheck;
import dev.walletledger.core.AuditReport;
import dev.walletledger.core.ControlsChange;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.WalletException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Events and controls in the fault suite. While the workload runs, an operator changes wallets' limits straight
 * through the library (a change in doubt when a fault cuts it: the audit settles it, the main account must hold its
 * latest record whichever way it went). The limits are far above anything the workload moves, so they refuse
 * nothing the model expects, but every write then goes through the controls' full check and the day's counts. After
 * the faults: the feed is numbered, {@code verify}'s {@code events} and {@code controls} checks hold, and the feed has
 * exactly one event per committed transaction and controls change (none for a rolled-back one: an event without its
 * subject is an {@code events} finding).
 */
final class FeedAudit {
    /** Far above any balance or day's spend of the workloads: a limit that counts but never refuses. */
    private static final long LIMIT = 1_000_000_000_000L;

    private final Ledger ledger;
    private final String schema;
    private final Supplier<String> jdbcUrl;
    long changesOk;
    long changesFailed;

    FeedAudit(Supplier<String> jdbcUrl, String schema) {
        this.jdbcUrl = jdbcUrl;
        this.schema = schema;
        this.ledger = new Ledger(new Direct(jdbcUrl), LedgerConfig.defaults().withSchema(schema));
    }

    /** One operator's change of a wallet's limits, set or lifted at random; a failure (a fault) is counted. */
    void changeLimits(String user, String assetCode, Random random) {
        ControlsChange.Limit max = random.nextBoolean() ? ControlsChange.Limit.of(LIMIT) : ControlsChange.Limit.NONE;
        ControlsChange.Limit daily = random.nextBoolean()
                ? ControlsChange.Limit.of(LIMIT + random.nextInt(1_000))
                : ControlsChange.Limit.NONE;
        try {
            ledger.setControls(
                    new ControlsChange(
                            user, assetCode, Optional.empty(), Optional.of(max), Optional.of(daily), "fault suite"),
                    "operator");
            changesOk++;
        } catch (WalletException e) {
            changesFailed++; // BUSY or STORAGE_UNAVAILABLE under a fault: the change went in or it did not
        }
    }

    /** The checks, once the database is healthy again; the figures for the summary line. */
    List<String> problems(StringBuilder figures) throws SQLException {
        List<String> problems = new ArrayList<>();
        ledger.sequenceEvents();
        AuditReport report = ledger.verify();
        for (AuditReport.Violation violation : report.violations()) {
            if (violation.check() == AuditCheck.EVENTS || violation.check() == AuditCheck.CONTROLS) {
                problems.add("verify " + violation.check().wireName() + ": " + violation.subject() + " "
                        + violation.detail());
            }
        }
        try (Connection connection = new Direct(jdbcUrl).getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(("SELECT (SELECT count(*) FROM {s}.ledger_events) AS events,"
                                + " (SELECT count(*) FROM {s}.ledger_transactions) AS transactions,"
                                + " (SELECT count(*) FROM {s}.ledger_controls) AS changes,"
                                + " (SELECT transactions_before FROM {s}.ledger_event_sequencer) AS before")
                        .replace("{s}", schema))) {
            row.next();
            long events = row.getLong("events");
            long transactions = row.getLong("transactions");
            long changes = row.getLong("changes");
            if (events != transactions + changes || row.getLong("before") != 0) {
                problems.add(events + " events for " + transactions + " transactions and " + changes
                        + " controls changes (and " + row.getLong("before") + " before the feed): not one each");
            }
            figures.append("events=")
                    .append(events)
                    .append(" (transactions ")
                    .append(transactions)
                    .append(", controls changes ")
                    .append(changes)
                    .append("; changes acknowledged ")
                    .append(changesOk)
                    .append(", failed ")
                    .append(changesFailed)
                    .append(") events_and_controls_findings=")
                    .append(problems.size());
        }
        return problems;
    }

    /** Connections straight to PostgreSQL as the superuser, bounded in time (a paused server must not hang us). */
    private static final class Direct implements DataSource {
        private final Supplier<String> jdbcUrl;

        Direct(Supplier<String> jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Properties properties = new Properties();
            properties.setProperty("user", "postgres");
            properties.setProperty("connectTimeout", "5");
            properties.setProperty("socketTimeout", "15");
            return DriverManager.getConnection(jdbcUrl.get(), properties);
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
