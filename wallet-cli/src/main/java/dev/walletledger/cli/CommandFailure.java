package dev.walletledger.cli;

import java.util.Map;

/**
 * A failure the CLI decides itself, outside the ledger's {@code ErrorCode}s (a transaction looked up by id
 * that does not exist is an empty result to the library, an error to the operator). Reported like a
 * {@code WalletException}: {@code wallet: CODE: message}.
 */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final FailureCode code;
    final transient Map<String, Object> details;

    CommandFailure(FailureCode code, String message, Map<String, ?> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = Map.copyOf(details);
    }
}
