package dev.walletledger.core;

import java.util.Objects;

/** What happened to one operation of a batch: applied (perhaps as a replay), or refused with a reason. */
public sealed interface Outcome permits Outcome.Applied, Outcome.Refused {
    record Applied(TransactionResult result) implements Outcome {
        public Applied {
            Objects.requireNonNull(result, "result");
        }
    }

    record Refused(WalletException error) implements Outcome {
        public Refused {
            Objects.requireNonNull(error, "error");
        }
    }
}
