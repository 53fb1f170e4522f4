package dev.walletledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OperationTest {
    static Stream<Arguments> invalid() {
        String longId = "u".repeat(101);
        return Stream.of(
                Arguments.of("user_id", (Runnable) () -> Operation.topUp(null, "GOLD_COINS", 1, "r")),
                Arguments.of("user_id", (Runnable) () -> Operation.topUp("", "GOLD_COINS", 1, "r")),
                Arguments.of("user_id", (Runnable) () -> Operation.topUp("   ", "GOLD_COINS", 1, "r")),
                Arguments.of("user_id", (Runnable) () -> Operation.topUp(" alice", "GOLD_COINS", 1, "r")),
                Arguments.of("user_id", (Runnable) () -> Operation.topUp(longId, "GOLD_COINS", 1, "r")),
                Arguments.of("user_id", (Runnable) () -> Operation.topUp("a\u0000b", "GOLD_COINS", 1, "r")),
                Arguments.of("user_id", (Runnable) () -> Operation.topUp("a\nb", "GOLD_COINS", 1, "r")),
                Arguments.of("user_id", (Runnable) () -> Operation.topUp("a\ud800b", "GOLD_COINS", 1, "r")),
                Arguments.of("asset_code", (Runnable) () -> Operation.topUp("alice", null, 1, "r")),
                Arguments.of("asset_code", (Runnable) () -> Operation.topUp("alice", "gold", 1, "r")),
                Arguments.of("asset_code", (Runnable) () -> Operation.topUp("alice", "GOLD COINS", 1, "r")),
                Arguments.of("amount", (Runnable) () -> Operation.topUp("alice", "GOLD_COINS", 0, "r")),
                Arguments.of("amount", (Runnable) () -> Operation.spend("alice", "GOLD_COINS", -5, "r")),
                Arguments.of("amount", (Runnable)
                        () -> Operation.bonus("alice", "GOLD_COINS", Operation.AMOUNT_MAX + 1, "r")),
                Arguments.of("amount", (Runnable) () -> Operation.topUp("alice", "GOLD_COINS", Long.MIN_VALUE, "r")),
                Arguments.of("reference_id", (Runnable) () -> Operation.topUp("alice", "GOLD_COINS", 1, null)),
                Arguments.of("reference_id", (Runnable) () -> Operation.topUp("alice", "GOLD_COINS", 1, "")),
                Arguments.of("reference_id", (Runnable) () -> Operation.topUp("alice", "GOLD_COINS", 1, longId)),
                Arguments.of("payment_method", (Runnable)
                        () -> new Operation.TopUp("alice", "GOLD_COINS", 1, "r", " ", null)),
                Arguments.of("item_id", (Runnable)
                        () -> new Operation.Spend("alice", "GOLD_COINS", 1, "r", "x".repeat(101), null)));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidFieldsAreRefusedByName(String field, Runnable build) {
        WalletException e = assertThrows(WalletException.class, build::run);
        assertEquals(ErrorCode.VALIDATION_FAILED, e.code());
        assertEquals(field, e.details().get("field"), e.getMessage());
    }

    @Test
    void limitsAreInclusive() {
        String hundred = "ü".repeat(100); // 100 characters, 200 bytes
        Operation.TopUp max = Operation.topUp(hundred, "GOLD_COINS", Operation.AMOUNT_MAX, hundred);
        assertEquals(Operation.AMOUNT_MAX, max.amount());
        assertEquals(Metadata.empty(), max.metadata());
        String emoji = "😀".repeat(100); // 100 code points, 200 UTF-16 units
        assertEquals(emoji, Operation.spend(emoji, "A", 1, "r").userId());
    }

    @Test
    void ofBuildsEachType() {
        assertEquals(
                OperationType.BONUS,
                Operation.of(OperationType.BONUS, "u", "GOLD_COINS", 5, "r", "REFERRAL", null)
                        .type());
        assertEquals(
                "REFERRAL",
                ((Operation.Bonus) Operation.of(OperationType.BONUS, "u", "GOLD_COINS", 5, "r", "REFERRAL", null))
                        .detail());
    }
}
