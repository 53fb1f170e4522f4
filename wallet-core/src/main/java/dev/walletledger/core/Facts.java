package dev.walletledger.core;

import java.util.Optional;
import java.util.UUID;

/** Small facts of each operation type, as visitors: one place per fact, checked by the compiler. */
final class Facts {
    private Facts() {}

    static final Operation.Visitor<Optional<UUID>> ORIGINAL = new Operation.Visitor<>() {
        @Override
        public Optional<UUID> topUp(Operation.TopUp o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> bonus(Operation.Bonus o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> spend(Operation.Spend o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> transfer(Operation.Transfer o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> reversal(Operation.Reversal o) {
            return Optional.of(o.transactionId());
        }

        @Override
        public Optional<UUID> chargeback(Operation.Chargeback o) {
            return Optional.of(o.transactionId());
        }

        @Override
        public Optional<UUID> adjustment(Operation.Adjustment o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> hold(Operation.Hold o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> capture(Operation.Capture o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> voidHold(Operation.VoidHold o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> expiry(Operation.Expiry o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> lotExpiry(Operation.LotExpiry o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> lotSplit(Operation.LotSplit o) {
            return Optional.empty();
        }
    };

    static final Operation.Visitor<Optional<String>> NAMED_ASSET = new Operation.Visitor<>() {
        @Override
        public Optional<String> topUp(Operation.TopUp o) {
            return Optional.of(o.assetCode());
        }

        @Override
        public Optional<String> bonus(Operation.Bonus o) {
            return Optional.of(o.assetCode());
        }

        @Override
        public Optional<String> spend(Operation.Spend o) {
            return Optional.of(o.assetCode());
        }

        @Override
        public Optional<String> transfer(Operation.Transfer o) {
            return Optional.of(o.assetCode());
        }

        @Override
        public Optional<String> reversal(Operation.Reversal o) {
            return Optional.empty();
        }

        @Override
        public Optional<String> chargeback(Operation.Chargeback o) {
            return Optional.empty();
        }

        @Override
        public Optional<String> adjustment(Operation.Adjustment o) {
            return Optional.of(o.assetCode());
        }

        @Override
        public Optional<String> hold(Operation.Hold o) {
            return Optional.of(o.assetCode());
        }

        @Override
        public Optional<String> capture(Operation.Capture o) {
            return Optional.empty();
        }

        @Override
        public Optional<String> voidHold(Operation.VoidHold o) {
            return Optional.empty();
        }

        @Override
        public Optional<String> expiry(Operation.Expiry o) {
            return Optional.empty();
        }

        @Override
        public Optional<String> lotExpiry(Operation.LotExpiry o) {
            return Optional.of(o.assetCode());
        }

        @Override
        public Optional<String> lotSplit(Operation.LotSplit o) {
            return Optional.of(o.assetCode());
        }
    };

    static final Operation.Visitor<Optional<UUID>> HOLD = new Operation.Visitor<>() {
        @Override
        public Optional<UUID> topUp(Operation.TopUp o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> bonus(Operation.Bonus o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> spend(Operation.Spend o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> transfer(Operation.Transfer o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> reversal(Operation.Reversal o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> chargeback(Operation.Chargeback o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> adjustment(Operation.Adjustment o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> hold(Operation.Hold o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> capture(Operation.Capture o) {
            return Optional.of(o.holdId());
        }

        @Override
        public Optional<UUID> voidHold(Operation.VoidHold o) {
            return Optional.of(o.holdId());
        }

        @Override
        public Optional<UUID> expiry(Operation.Expiry o) {
            return Optional.of(o.holdId());
        }

        @Override
        public Optional<UUID> lotExpiry(Operation.LotExpiry o) {
            return Optional.empty();
        }

        @Override
        public Optional<UUID> lotSplit(Operation.LotSplit o) {
            return Optional.empty();
        }
    };
}
