package dev.walletledger.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The {@code wallet} command: the real database, the process's streams and environment. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // A command-line tool: the benchmark's chart is drawn off-screen, never in a window.
        System.setProperty("java.awt.headless", "true");
        // UTF-8 whatever the locale says: user ids and asset names may be in any script.
        PrintStream out = new PrintStream(
                new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        Cli cli = new Cli(new PostgresConnector(err), System.getenv(), System.console() != null, System::nanoTime);
        int exitCode = cli.run(args, out, err);
        out.flush();
        err.flush();
        System.exit(exitCode);
    }
}
