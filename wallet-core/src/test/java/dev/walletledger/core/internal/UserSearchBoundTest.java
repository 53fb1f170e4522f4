package dev.walletledger.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The upper end of a prefix's range, in code point order (the order of a {@code COLLATE "C"} column). */
class UserSearchBoundTest {
    @Test
    void theLastCodePointIsRaisedSkippingSurrogatesAndDroppingTheMaximum() {
        assertEquals("ao", UserSearch.upperBound("an"));
        assertEquals("a\uE000", UserSearch.upperBound("a\uD7FF"), "U+D800-U+DFFF are not characters");
        assertEquals("a\uD83D\uDE01", UserSearch.upperBound("a\uD83D\uDE00"), "a supplementary character");
        assertEquals("a\uD800\uDC00", UserSearch.upperBound("a\uFFFF"), "U+FFFF to U+10000");
        assertEquals("b", UserSearch.upperBound("a\uDBFF\uDFFF"), "U+10FFFF has no successor: drop it");
        assertNull(UserSearch.upperBound("\uDBFF\uDFFF"));
        assertNull(UserSearch.upperBound(""));
    }
}
