package dev.walletledger.http;

import dev.walletledger.core.Ledger;
import dev.walletledger.core.WalletException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's sweep of holds and lots past their expiry: every {@link #PERIOD_SECONDS} s, up to {@link
 * #ROUNDS_MAX} rounds of {@link #WALLETS_PER_ROUND} holds' wallets each, then as many rounds of as many lots, each
 * kind stopping at the first round that posts nothing. A write to a wallet releases its expired holds and expires
 * its expired lots on its way anyway (and no spend ever uses an expired lot); the sweep does it for wallets nobody
 * writes to. Each expiry is posted under its reserved reference, so several servers sweeping at once post each one
 * once.
 *
 * <p>The same thread numbers the feed's new events every {@link #SEQUENCE_PERIOD_MILLIS} ms, so that positions are
 * given as events come even while nobody reads the feed (every read of the feed numbers what is new first anyway).
 */
final class HoldSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HoldSweeper.class);

    static final long PERIOD_SECONDS = 5;
    static final int WALLETS_PER_ROUND = 100;
    static final int ROUNDS_MAX = 10;
    static final long SEQUENCE_PERIOD_MILLIS = 1_000;

    private final Ledger ledger;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "wallet-hold-sweeper");
        t.setDaemon(true);
        return t;
    });

    HoldSweeper(Ledger ledger) {
        this.ledger = ledger;
    }

    HoldSweeper start() {
        thread.scheduleWithFixedDelay(this::sweep, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
        thread.scheduleWithFixedDelay(
                this::sequence, SEQUENCE_PERIOD_MILLIS, SEQUENCE_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void sequence() {
        try {
            ledger.sequenceEvents();
        } catch (WalletException e) {
            LOG.warn(
                    "numbering the feed's events failed ({}); it runs again in {} ms",
                    e.getMessage(),
                    SEQUENCE_PERIOD_MILLIS);
        } catch (RuntimeException e) {
            LOG.error("numbering the feed's events failed; it runs again in {} ms", SEQUENCE_PERIOD_MILLIS, e);
        }
    }

    private void sweep() {
        try {
            long released = 0;
            for (int round = 0; round < ROUNDS_MAX; round++) {
                int expired = ledger.expireHolds(WALLETS_PER_ROUND);
                released += expired;
                if (expired == 0) {
                    break;
                }
            }
            if (released > 0) {
                LOG.info("released {} expired hold(s)", released);
            }
            long lots = 0;
            for (int round = 0; round < ROUNDS_MAX; round++) {
                int expired = ledger.expireLots(WALLETS_PER_ROUND);
                lots += expired;
                if (expired == 0) {
                    break;
                }
            }
            if (lots > 0) {
                LOG.info("posted {} expiries of lots and holds", lots);
            }
        } catch (WalletException e) {
            LOG.warn("the hold sweep failed ({}); it runs again in {} s", e.getMessage(), PERIOD_SECONDS);
        } catch (RuntimeException e) {
            LOG.error("the hold sweep failed; it runs again in {} s", PERIOD_SECONDS, e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
