package dev.walletledger.core;

/**
 * One request to move currency between a user and a SYSTEM wallet of one asset. Every operation
 * carries a reference id, globally unique across all types: sending the same operation again with
 * the same reference returns the original result; a different operation with a used reference is an
 * {@link ErrorCode#IDEMPOTENCY_CONFLICT}. Only applied operations use up their reference: a spend
 * refused for insufficient funds may be retried with the same reference later.
 *
 * <p>The records check their fields when built and throw {@link ErrorCode#VALIDATION_FAILED}: ids and
 * descriptive fields are 1-{@value Checks#TEXT_LENGTH_MAX} characters without control characters or
 * surrounding spaces; amounts are whole minor units from 1 to {@value #AMOUNT_MAX}; metadata defaults
 * to the empty object.
 */
public sealed interface Operation permits Operation.TopUp, Operation.Bonus, Operation.Spend {
    /** The largest amount one operation may move, in minor units (10^15). */
    long AMOUNT_MAX = 1_000_000_000_000_000L;
    /** What a refused amount is told: the one wording of the range, wherever it is checked. */
    String AMOUNT_RANGE = "must be an integer from 1 to " + AMOUNT_MAX + " (minor units)";

    OperationType type();

    String userId();

    String assetCode();

    /** Minor units, 1 to {@link #AMOUNT_MAX}. */
    long amount();

    String referenceId();

    Metadata metadata();

    /** The one descriptive field of the type ({@code payment_method}, {@code bonus_type} or {@code item_id}), or null. */
    String detail();

    static TopUp topUp(String userId, String assetCode, long amount, String referenceId) {
        return new TopUp(userId, assetCode, amount, referenceId, null, Metadata.empty());
    }

    static Bonus bonus(String userId, String assetCode, long amount, String referenceId) {
        return new Bonus(userId, assetCode, amount, referenceId, null, Metadata.empty());
    }

    static Spend spend(String userId, String assetCode, long amount, String referenceId) {
        return new Spend(userId, assetCode, amount, referenceId, null, Metadata.empty());
    }

    /** Purchased currency enters the user's wallet from the asset's TREASURY. */
    record TopUp(
            String userId, String assetCode, long amount, String referenceId, String paymentMethod, Metadata metadata)
            implements Operation {
        public TopUp {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.identifier("reference_id", referenceId);
            paymentMethod = Checks.optionalText(OperationType.TOPUP.detailField(), paymentMethod);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.TOPUP;
        }

        @Override
        public String detail() {
            return paymentMethod;
        }
    }

    /** Granted currency enters the user's wallet from the asset's BONUS_POOL. */
    record Bonus(String userId, String assetCode, long amount, String referenceId, String bonusType, Metadata metadata)
            implements Operation {
        public Bonus {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.identifier("reference_id", referenceId);
            bonusType = Checks.optionalText(OperationType.BONUS.detailField(), bonusType);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.BONUS;
        }

        @Override
        public String detail() {
            return bonusType;
        }
    }

    /** Currency leaves the user's wallet for the asset's REVENUE; refused when the balance is short. */
    record Spend(String userId, String assetCode, long amount, String referenceId, String itemId, Metadata metadata)
            implements Operation {
        public Spend {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.identifier("reference_id", referenceId);
            itemId = Checks.optionalText(OperationType.SPEND.detailField(), itemId);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.SPEND;
        }

        @Override
        public String detail() {
            return itemId;
        }
    }

    /** Builds the operation of a type from its fields; {@code detail} is the type's descriptive field. */
    static Operation of(
            OperationType type,
            String userId,
            String assetCode,
            long amount,
            String referenceId,
            String detail,
            Metadata metadata) {
        return switch (type) {
            case TOPUP -> new TopUp(userId, assetCode, amount, referenceId, detail, metadata);
            case BONUS -> new Bonus(userId, assetCode, amount, referenceId, detail, metadata);
            case SPEND -> new Spend(userId, assetCode, amount, referenceId, detail, metadata);
        };
    }
}
