package dev.walletledger.cli.bench;

import java.util.List;

/**
 * The benchmark's workloads by name: the names in the report, the chart and results.jsonl, and the keys
 * the targets and ratios look results up by. One place, so renaming one cannot silently drop a target.
 */
final class Workloads {
    static final String PGBENCH_UNIFORM = "pgbench topup_uniform";
    static final String PGBENCH_HOT = "pgbench topup_hot";
    static final String PGBENCH_SELECT = "pgbench select-only";
    static final String LIBRARY_TOPUPS = "library top-ups";
    static final String LIBRARY_MIX = "library mix 60/30/10";
    static final String HOT = "top-ups, one TREASURY (hot)";
    static final String SPREAD = "top-ups, 16 TREASURYs (spread)";
    static final String LIBRARY_TRANSFERS = "library transfers";
    static final String TRANSFERS_HOT_PAIR = "transfers, one hot pair";
    static final String HOLD_CAPTURE_PAIRS = "hold + capture pairs";
    static final String LIBRARY_SPENDS = "spends over paid and free lots";
    static final String FOLLOWED_TOPUPS = "top-ups, the feed followed";
    static final String CONTROLLED_SPENDS = "spends, wallets with limits";
    static final String REPORT_OUTSTANDING = "report: outstanding";
    static final String REPORT_ACTIVITY = "report: activity";
    static final String BATCHES_OF = "batches of ";
    static final String BATCHES_OF_1000 = BATCHES_OF + 1000;
    /** The rows of batches of 1,000 top-ups written with COPY into copies of the ledger's tables: the limit. */
    static final String COPY_CEILING = "COPY ceiling, batches of 1000";

    static final String HTTP_TOPUPS = "HTTP top-ups";
    /** Open loop at 25, 50 and 75 % of the measured HTTP top-up peak: {@link #httpOpenLoop}. */
    static final List<Integer> HTTP_OPEN_LOOP_PERCENTS = List.of(25, 50, 75);

    static final String HTTP_OPEN_LOOP_50 = httpOpenLoop(50);
    /** A fresh server's top-ups once warmed up, after its first minute: that JVM's steady state. */
    static final String HTTP_FRESH_STEADY = "HTTP top-ups, fresh server, after warm-up";

    static final String HTTP_READS = "HTTP balance reads";
    /** Every HTTP workload's name starts with this. */
    static final String HTTP_PREFIX = "HTTP";

    private Workloads() {}

    static String httpOpenLoop(int percentOfPeak) {
        return "HTTP top-ups at " + percentOfPeak + " % of peak (open loop)";
    }
}
