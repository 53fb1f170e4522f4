package dev.walletledger.cli;

import dev.walletledger.core.AuditProgress;
import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The audit's progress on stderr: {@code verifying [#########...........]  45%  4500/10000 wallets}, redrawn
 * in place at most once per percent (so at most 101 times). Drawn when asked ({@code always}) or, on an
 * interactive terminal, once the audit has run for {@link #DELAY_NANOS}: short audits stay silent.
 */
final class ProgressBar implements AuditProgress {
    static final long DELAY_NANOS = 1_000_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean always;
    private final boolean interactive;
    private final LongSupplier nanoTime;
    private final long started;
    private int drawnPercent = -1;

    ProgressBar(PrintStream err, boolean always, boolean interactive, LongSupplier nanoTime) {
        this.err = err;
        this.always = always;
        this.interactive = interactive;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
    }

    @Override
    public void progressed(long done, long total) {
        boolean wanted = always || (interactive && nanoTime.getAsLong() - started >= DELAY_NANOS);
        if (!wanted) {
            return;
        }
        int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
        if (percent == drawnPercent) {
            return;
        }
        drawnPercent = percent;
        int filled = percent * WIDTH / 100;
        err.print("\rverifying [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%", percent) + "  " + done + "/" + total + " wallets");
        err.flush();
    }

    /** Ends the bar's line, if one was drawn, so that what follows starts on a line of its own. */
    void finish() {
        if (drawnPercent >= 0) {
            err.println();
        }
    }
}
