package dev.walletledger.core;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One request to move currency: the seed's top-up, bonus and spend between a user and a SYSTEM wallet,
 * and the movements built on the same engine of balanced postings (transfer, reversal, chargeback,
 * adjustment). Every operation carries a reference id, globally unique across all types: sending the same
 * operation again with the same reference returns the original result; a different operation with a used
 * reference is an {@link ErrorCode#IDEMPOTENCY_CONFLICT}. A reference is bound to its first outcome, a
 * refusal ({@link ErrorCode#binds()}) like a success: a spend refused for insufficient funds stays refused under
 * that reference. The two-phase holds ({@link Hold}, {@link Capture}, {@link VoidHold}) and the ledger's own
 * {@link Expiry} move coins through the wallet's {@code held} account.
 *
 * <p>The set of types is closed: the interface is sealed, and behaviour that depends on the type is written
 * as a {@link Visitor} or an exhaustive switch over {@link OperationType}, so the compiler names every place
 * a new type must be handled.
 *
 * <p>The records check their fields when built and throw {@link ErrorCode#VALIDATION_FAILED}: ids and
 * descriptive fields are 1-{@value Checks#TEXT_LENGTH_MAX} characters without control characters or
 * surrounding spaces; amounts are whole minor units from 1 to {@value #AMOUNT_MAX}; metadata defaults
 * to the empty object.
 */
public sealed interface Operation
        permits Operation.TopUp,
                Operation.Bonus,
                Operation.Spend,
                Operation.Transfer,
                Operation.Reversal,
                Operation.Chargeback,
                Operation.Adjustment,
                Operation.Hold,
                Operation.Capture,
                Operation.VoidHold,
                Operation.Expiry,
                Operation.LotExpiry,
                Operation.LotSplit {
    /** The largest amount one operation may move, in minor units (10^15). */
    long AMOUNT_MAX = 1_000_000_000_000_000L;
    /** What a refused amount is told: the one wording of the range, wherever it is checked. */
    String AMOUNT_RANGE = "must be an integer from 1 to " + AMOUNT_MAX + " (minor units)";

    OperationType type();

    String referenceId();

    Metadata metadata();

    /**
     * The request's own fields, by wire name, as text (amounts in decimal), in a fixed order; absent
     * optional fields are left out. Beyond these, a request has its type, reference id and metadata. This
     * is what the ledger records of the request, what a retry under the same reference is compared with,
     * and what the hash chain covers.
     */
    Map<String, String> fields();

    /**
     * The one way to act on an operation by its type: each type is a method, so a type added to the set is a
     * compile error in every visitor until it is handled there.
     */
    <R> R accept(Visitor<R> visitor);

    /** What to do with each type of operation. */
    interface Visitor<R> {
        R topUp(TopUp operation);

        R bonus(Bonus operation);

        R spend(Spend operation);

        R transfer(Transfer operation);

        R reversal(Reversal operation);

        R chargeback(Chargeback operation);

        R adjustment(Adjustment operation);

        R hold(Hold operation);

        R capture(Capture operation);

        R voidHold(VoidHold operation);

        R expiry(Expiry operation);

        R lotExpiry(LotExpiry operation);

        R lotSplit(LotSplit operation);
    }

    /** The transaction a reversal or chargeback takes back; empty for the others. */
    default Optional<UUID> original() {
        return accept(Facts.ORIGINAL);
    }

    /** The hold a capture, void or expiry acts on; empty for the others (a hold's own id is its transaction's). */
    default Optional<UUID> heldBy() {
        return accept(Facts.HOLD);
    }

    /** The asset the request names; empty for a reversal or chargeback, whose asset is the original's. */
    default Optional<String> namedAssetCode() {
        return accept(Facts.NAMED_ASSET);
    }

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
            String userId,
            String assetCode,
            long amount,
            String referenceId,
            String paymentMethod,
            Metadata metadata,
            Instant expiresAt)
            implements Operation {
        public TopUp {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.reference(referenceId);
            paymentMethod = Checks.optionalText(OperationType.TOPUP.detailField(), paymentMethod);
            metadata = metadata == null ? Metadata.empty() : metadata;
            expiresAt = Checks.lotExpiry(expiresAt);
        }

        /** Paid coins that never expire. */
        public TopUp(
                String userId,
                String assetCode,
                long amount,
                String referenceId,
                String paymentMethod,
                Metadata metadata) {
            this(userId, assetCode, amount, referenceId, paymentMethod, metadata, null);
        }

        @Override
        public OperationType type() {
            return OperationType.TOPUP;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.topUp(this);
        }

        /** The payment method, or null. */
        public String detail() {
            return paymentMethod;
        }

        @Override
        public Map<String, String> fields() {
            return Fields.seed(this, userId, assetCode, amount, paymentMethod, expiresAt);
        }
    }

    /** Granted currency enters the user's wallet from the asset's BONUS_POOL. */
    record Bonus(
            String userId,
            String assetCode,
            long amount,
            String referenceId,
            String bonusType,
            Metadata metadata,
            Instant expiresAt)
            implements Operation {
        public Bonus {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.reference(referenceId);
            bonusType = Checks.optionalText(OperationType.BONUS.detailField(), bonusType);
            metadata = metadata == null ? Metadata.empty() : metadata;
            expiresAt = Checks.lotExpiry(expiresAt);
        }

        /** Free coins that never expire. */
        public Bonus(
                String userId, String assetCode, long amount, String referenceId, String bonusType, Metadata metadata) {
            this(userId, assetCode, amount, referenceId, bonusType, metadata, null);
        }

        @Override
        public OperationType type() {
            return OperationType.BONUS;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.bonus(this);
        }

        /** The bonus type, or null. */
        public String detail() {
            return bonusType;
        }

        @Override
        public Map<String, String> fields() {
            return Fields.seed(this, userId, assetCode, amount, bonusType, expiresAt);
        }
    }

    /** Currency leaves the user's wallet for the asset's REVENUE; refused when the balance is short. */
    record Spend(String userId, String assetCode, long amount, String referenceId, String itemId, Metadata metadata)
            implements Operation {
        public Spend {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.reference(referenceId);
            itemId = Checks.optionalText(OperationType.SPEND.detailField(), itemId);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.SPEND;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.spend(this);
        }

        /** The item id, or null. */
        public String detail() {
            return itemId;
        }

        @Override
        public Map<String, String> fields() {
            return Fields.seed(this, userId, assetCode, amount, itemId);
        }
    }

    /**
     * Currency moves from one user to another; the recipient's wallet is created by it if missing.
     * Refused when the sender's balance is short.
     */
    record Transfer(
            String fromUserId, String toUserId, String assetCode, long amount, String referenceId, Metadata metadata)
            implements Operation {
        public Transfer {
            fromUserId = Checks.identifier("from_user_id", fromUserId);
            toUserId = Checks.identifier("to_user_id", toUserId);
            if (fromUserId.equals(toUserId)) {
                throw WalletException.invalid("to_user_id", "must differ from from_user_id");
            }
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.reference(referenceId);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.TRANSFER;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.transfer(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "from_user_id", fromUserId,
                    "to_user_id", toUserId,
                    "asset_code", assetCode,
                    "amount", Long.toString(amount));
        }
    }

    /**
     * A full or partial refund of a top-up, bonus, spend, transfer or adjustment: the mirror image of its
     * postings, scaled to {@code amount} (empty: whatever is not yet reversed). The reversals and
     * chargebacks of one transaction never sum to more than its amount.
     */
    record Reversal(UUID transactionId, String referenceId, OptionalLong amount, String reason, Metadata metadata)
            implements Operation {
        public Reversal {
            Objects.requireNonNull(transactionId, "transactionId");
            referenceId = Checks.reference(referenceId);
            amount = amount == null || amount.isEmpty()
                    ? OptionalLong.empty()
                    : OptionalLong.of(Checks.amount(amount.getAsLong()));
            reason = Checks.optionalText("reason", reason);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.REVERSAL;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.reversal(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "transaction_id",
                    transactionId.toString(),
                    "amount",
                    amount.isPresent() ? Long.toString(amount.getAsLong()) : null,
                    "reason",
                    reason);
        }
    }

    /**
     * A top-up taken back by the payment network ({@code amount} empty: whatever is not yet taken back).
     * It recovers from the user's balance what it can; the shortfall goes by the {@link ChargebackPolicy}.
     */
    record Chargeback(
            UUID transactionId, String referenceId, OptionalLong amount, ChargebackPolicy policy, Metadata metadata)
            implements Operation {
        public Chargeback {
            Objects.requireNonNull(transactionId, "transactionId");
            referenceId = Checks.reference(referenceId);
            amount = amount == null || amount.isEmpty()
                    ? OptionalLong.empty()
                    : OptionalLong.of(Checks.amount(amount.getAsLong()));
            if (policy == null) {
                throw WalletException.invalid("policy", "is required: \"debt\" or \"write_off\"");
            }
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.CHARGEBACK;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.chargeback(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "transaction_id", transactionId.toString(),
                    "amount", amount.isPresent() ? Long.toString(amount.getAsLong()) : null,
                    "policy", policy.wireName());
        }
    }

    /**
     * An operator's correction: credits the user from the asset's ADJUSTMENTS wallet, or debits the user
     * to it (refused when the balance is short). The reason is required and recorded.
     */
    record Adjustment(
            String userId,
            String assetCode,
            Direction direction,
            long amount,
            String referenceId,
            String reason,
            Metadata metadata)
            implements Operation {
        public Adjustment {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            if (direction == null) {
                throw WalletException.invalid("direction", "is required: \"credit\" or \"debit\"");
            }
            amount = Checks.amount(amount);
            referenceId = Checks.reference(referenceId);
            reason = Checks.identifier("reason", reason);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.ADJUSTMENT;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.adjustment(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "user_id", userId,
                    "asset_code", assetCode,
                    "direction", direction.name().toLowerCase(Locale.ROOT),
                    "amount", Long.toString(amount),
                    "reason", reason);
        }
    }

    /**
     * Reserves {@code amount} of the user's spendable balance: it moves into the wallet's {@code held} account
     * until captured, voided or expired. The expiry is given either relative ({@code expiresInSeconds}, from the
     * moment the hold is applied) or absolute ({@code expiresAt}): exactly one, from 1 second to
     * {@value Hold#EXPIRY_SECONDS_MAX} seconds ahead. Refused when the balance is short.
     */
    record Hold(
            String userId,
            String assetCode,
            long amount,
            String referenceId,
            OptionalLong expiresInSeconds,
            Instant expiresAt,
            Metadata metadata)
            implements Operation {
        public Hold {
            userId = Checks.identifier("user_id", userId);
            assetCode = Checks.assetCode(assetCode);
            amount = Checks.amount(amount);
            referenceId = Checks.reference(referenceId);
            expiresInSeconds = expiresInSeconds == null ? OptionalLong.empty() : expiresInSeconds;
            if (expiresInSeconds.isPresent() == (expiresAt != null)) {
                throw WalletException.invalid(
                        "expires_in_seconds", "give exactly one of expires_in_seconds and expires_at");
            }
            if (expiresInSeconds.isPresent()
                    && (expiresInSeconds.getAsLong() < 1
                            || expiresInSeconds.getAsLong() > dev.walletledger.core.Hold.EXPIRY_SECONDS_MAX)) {
                throw WalletException.invalid(
                        "expires_in_seconds", "must be from 1 to " + dev.walletledger.core.Hold.EXPIRY_SECONDS_MAX);
            }
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        /** A hold that expires {@code seconds} after it is applied. */
        public static Hold expiringIn(String userId, String assetCode, long amount, String referenceId, long seconds) {
            return new Hold(userId, assetCode, amount, referenceId, OptionalLong.of(seconds), null, Metadata.empty());
        }

        @Override
        public OperationType type() {
            return OperationType.HOLD;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.hold(this);
        }

        /** When a hold applied at {@code appliedAt} expires. */
        public Instant expiresAt(Instant appliedAt) {
            return expiresAt != null ? expiresAt : appliedAt.plusSeconds(expiresInSeconds.getAsLong());
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "user_id",
                    userId,
                    "asset_code",
                    assetCode,
                    "amount",
                    Long.toString(amount),
                    "expires_in_seconds",
                    expiresInSeconds.isPresent() ? Long.toString(expiresInSeconds.getAsLong()) : null,
                    "expires_at",
                    expiresAt == null ? null : expiresAt.toString());
        }
    }

    /**
     * Captures {@code amount} of an open hold (empty: all that remains) into the asset's REVENUE, as a spend of the
     * held coins. A final capture ({@code finalCapture}, the default) releases the rest to the balance and closes
     * the hold; otherwise the hold stays open for more. Refused once the hold expired, closed, or for more than
     * remains.
     */
    record Capture(
            UUID holdId,
            String referenceId,
            OptionalLong amount,
            boolean finalCapture,
            String itemId,
            Metadata metadata)
            implements Operation {
        public Capture {
            Objects.requireNonNull(holdId, "holdId");
            referenceId = Checks.reference(referenceId);
            amount = amount == null || amount.isEmpty()
                    ? OptionalLong.empty()
                    : OptionalLong.of(Checks.amount(amount.getAsLong()));
            itemId = Checks.optionalText("item_id", itemId);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        /** A final capture of all that remains. */
        public static Capture all(UUID holdId, String referenceId) {
            return new Capture(holdId, referenceId, OptionalLong.empty(), true, null, Metadata.empty());
        }

        @Override
        public OperationType type() {
            return OperationType.CAPTURE;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.capture(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "hold_id",
                    holdId.toString(),
                    "amount",
                    amount.isPresent() ? Long.toString(amount.getAsLong()) : null,
                    "final",
                    Boolean.toString(finalCapture),
                    "item_id",
                    itemId);
        }
    }

    /** Releases what remains of an open hold to the balance and closes it. */
    record VoidHold(UUID holdId, String referenceId, Metadata metadata) implements Operation {
        public VoidHold {
            Objects.requireNonNull(holdId, "holdId");
            referenceId = Checks.reference(referenceId);
            metadata = metadata == null ? Metadata.empty() : metadata;
        }

        @Override
        public OperationType type() {
            return OperationType.VOID;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.voidHold(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of("hold_id", holdId.toString());
        }
    }

    /**
     * The ledger's own release of an expired hold's remainder, under the reserved reference {@code
     * wallet-ledger:expiry:<hold id>}: posted once, by whichever write or sweep locks the wallet first after the
     * hold expired. Never submitted by a caller.
     */
    record Expiry(UUID holdId) implements Operation {
        /** The reserved prefix of the ledger's own references: no request may use it. */
        public static final String RESERVED_PREFIX = "wallet-ledger:";

        public Expiry {
            Objects.requireNonNull(holdId, "holdId");
        }

        @Override
        public String referenceId() {
            return RESERVED_PREFIX + "expiry:" + holdId;
        }

        @Override
        public Metadata metadata() {
            return Metadata.empty();
        }

        @Override
        public OperationType type() {
            return OperationType.EXPIRY;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.expiry(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of("hold_id", holdId.toString());
        }
    }

    /**
     * The ledger's own expiry of a lot: all its coins to the asset's BREAKAGE, under the reserved reference {@code
     * wallet-ledger:lot-expiry:<wallet id>} (the lot's account), so posted once, by whichever write or sweep locks
     * the wallet first after the lot's expiry. Never submitted: {@code userId} and {@code assetCode} name the lot's
     * wallet, {@code account} the lot.
     */
    record LotExpiry(long walletId, String userId, String assetCode, String account) implements Operation {
        public LotExpiry {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(assetCode, "assetCode");
            Objects.requireNonNull(account, "account");
        }

        @Override
        public String referenceId() {
            return Expiry.RESERVED_PREFIX + "lot-expiry:" + walletId;
        }

        @Override
        public Metadata metadata() {
            return Metadata.empty();
        }

        @Override
        public OperationType type() {
            return OperationType.LOT_EXPIRY;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.lotExpiry(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "user_id",
                    userId,
                    "asset_code",
                    assetCode,
                    "account",
                    account,
                    "wallet_id",
                    Long.toString(walletId));
        }
    }

    /**
     * The ledger's own split of a wallet's coins from before lots: {@code amount} free coins from its {@code main}
     * account (paid, never expires, where every coin was before lots) to its {@code free} lot, under the reserved
     * reference {@code wallet-ledger:lot-split:<wallet id>} (the main account), so posted once. The upgrade to lots
     * finds the free part by replaying the wallet's history (see the wallet-core README, "Upgrading to lots").
     * Never submitted.
     */
    record LotSplit(long walletId, String userId, String assetCode, long amount) implements Operation {
        public LotSplit {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(assetCode, "assetCode");
            if (amount < 1 || amount > AMOUNT_MAX) {
                throw WalletException.invalid("amount", AMOUNT_RANGE);
            }
        }

        @Override
        public String referenceId() {
            return Expiry.RESERVED_PREFIX + "lot-split:" + walletId;
        }

        @Override
        public Metadata metadata() {
            return Metadata.empty();
        }

        @Override
        public OperationType type() {
            return OperationType.LOT_SPLIT;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.lotSplit(this);
        }

        @Override
        public Map<String, String> fields() {
            return Fields.of(
                    "user_id",
                    userId,
                    "asset_code",
                    assetCode,
                    "amount",
                    Long.toString(amount),
                    "wallet_id",
                    Long.toString(walletId));
        }
    }

    /** Builds a top-up, bonus or spend from its fields; {@code detail} is the type's descriptive field. */
    static Operation of(
            OperationType type,
            String userId,
            String assetCode,
            long amount,
            String referenceId,
            String detail,
            Metadata metadata) {
        return of(type, userId, assetCode, amount, referenceId, detail, metadata, null);
    }

    /**
     * Builds a top-up, bonus or spend from its fields; {@code detail} is the type's descriptive field, {@code
     * expiresAt} the expiry of a top-up's or bonus's coins (null: never; a spend takes none).
     */
    static Operation of(
            OperationType type,
            String userId,
            String assetCode,
            long amount,
            String referenceId,
            String detail,
            Metadata metadata,
            Instant expiresAt) {
        if (type == OperationType.SPEND && expiresAt != null) {
            throw WalletException.invalid("expires_at", "is for the coins a top-up or bonus credits, not a spend");
        }
        return switch (type) {
            case TOPUP -> new TopUp(userId, assetCode, amount, referenceId, detail, metadata, expiresAt);
            case BONUS -> new Bonus(userId, assetCode, amount, referenceId, detail, metadata, expiresAt);
            case SPEND -> new Spend(userId, assetCode, amount, referenceId, detail, metadata);
            case TRANSFER, REVERSAL, CHARGEBACK, ADJUSTMENT, HOLD, CAPTURE, VOID, EXPIRY, LOT_EXPIRY, LOT_SPLIT ->
                throw new IllegalArgumentException(type + " is not a top-up, bonus or spend");
        };
    }

    /** Rebuilds a recorded request from its type, reference, {@link #fields()} and metadata. */
    static Operation fromFields(OperationType type, String referenceId, Map<String, String> fields, Metadata metadata) {
        return switch (type) {
            case TOPUP, BONUS, SPEND ->
                of(
                        type,
                        fields.get("user_id"),
                        fields.get("asset_code"),
                        Fields.amount(fields),
                        referenceId,
                        fields.get(type.detailField()),
                        metadata,
                        fields.containsKey("expires_at") ? Instant.parse(fields.get("expires_at")) : null);
            case TRANSFER ->
                new Transfer(
                        fields.get("from_user_id"),
                        fields.get("to_user_id"),
                        fields.get("asset_code"),
                        Fields.amount(fields),
                        referenceId,
                        metadata);
            case REVERSAL ->
                new Reversal(
                        UUID.fromString(fields.get("transaction_id")),
                        referenceId,
                        Fields.optionalAmount(fields),
                        fields.get("reason"),
                        metadata);
            case CHARGEBACK ->
                new Chargeback(
                        UUID.fromString(fields.get("transaction_id")),
                        referenceId,
                        Fields.optionalAmount(fields),
                        ChargebackPolicy.parse("policy", fields.get("policy")),
                        metadata);
            case ADJUSTMENT ->
                new Adjustment(
                        fields.get("user_id"),
                        fields.get("asset_code"),
                        Direction.valueOf(fields.get("direction").toUpperCase(Locale.ROOT)),
                        Fields.amount(fields),
                        referenceId,
                        fields.get("reason"),
                        metadata);
            case HOLD ->
                new Hold(
                        fields.get("user_id"),
                        fields.get("asset_code"),
                        Fields.amount(fields),
                        referenceId,
                        fields.containsKey("expires_in_seconds")
                                ? OptionalLong.of(Long.parseLong(fields.get("expires_in_seconds")))
                                : OptionalLong.empty(),
                        fields.containsKey("expires_at") ? Instant.parse(fields.get("expires_at")) : null,
                        metadata);
            case CAPTURE ->
                new Capture(
                        UUID.fromString(fields.get("hold_id")),
                        referenceId,
                        Fields.optionalAmount(fields),
                        Boolean.parseBoolean(fields.get("final")),
                        fields.get("item_id"),
                        metadata);
            case VOID -> new VoidHold(UUID.fromString(fields.get("hold_id")), referenceId, metadata);
            case EXPIRY -> new Expiry(UUID.fromString(fields.get("hold_id")));
            case LOT_EXPIRY ->
                new LotExpiry(
                        Long.parseLong(fields.get("wallet_id")),
                        fields.get("user_id"),
                        fields.get("asset_code"),
                        fields.get("account"));
            case LOT_SPLIT ->
                new LotSplit(
                        Long.parseLong(fields.get("wallet_id")),
                        fields.get("user_id"),
                        fields.get("asset_code"),
                        Fields.amount(fields));
        };
    }
}
