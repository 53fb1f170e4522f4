package dev.walletledger.cli;

import dev.walletledger.core.Ledger;
import dev.walletledger.testing.TestDatabase;
import dev.walletledger.testing.TestLedger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link Cli#run} in-process over a fresh, migrated test schema of its own: what the operator would see,
 * without a process or the embedded data directory. Records the targets the CLI asked to connect to.
 */
final class CliRunner implements AutoCloseable {
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    final TestLedger test;
    final List<Database.Target> targets = new ArrayList<>();
    private final Map<String, String> environment;
    private final boolean interactive;
    private long nanoTime;

    CliRunner() {
        this(Map.of(), false);
    }

    CliRunner(Map<String, String> environment, boolean interactive) {
        this.test = TestDatabase.newLedger();
        this.environment = environment;
        this.interactive = interactive;
    }

    Ledger ledger() {
        return test.ledger();
    }

    /** Moves the fake monotonic clock the CLI reads (progress bars). */
    void advanceNanos(long nanos) {
        nanoTime += nanos;
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(this::connect, environment, interactive, () -> nanoTime);
        int exitCode;
        try (PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exitCode = cli.run(args, stdout, stderr);
        }
        return new Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Database connect(Database.Target target) {
        targets.add(target);
        return new Database() {
            @Override
            public Ledger ledger() {
                return test.ledger();
            }

            @Override
            public int migrate() {
                return Ledger.migrate(test.dataSource(), test.config());
            }

            @Override
            public String description() {
                return "test schema " + test.schema();
            }

            @Override
            public javax.sql.DataSource dataSource() {
                return test.dataSource();
            }

            @Override
            public java.util.Optional<dev.walletledger.runtime.EmbeddedDatabase> embedded() {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<dev.walletledger.runtime.DatabaseUrl> url() {
                return java.util.Optional.empty();
            }

            @Override
            public void close() {
                // the runner owns the test ledger; closed with it
            }
        };
    }

    @Override
    public void close() {
        test.close();
    }
}
