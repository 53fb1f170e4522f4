package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.walletledger.core.Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code wallet users}: users by the start of their id, paged. */
class UsersCommandTest {
    private final CliRunner cli = new CliRunner();

    @AfterEach
    void close() {
        cli.close();
    }

    @Test
    void usersArePagedByPrefixAndTheJsonIsTheApisShape() {
        for (String user : new String[] {"ann", "anna", "annb", "bob"}) {
            cli.ledger().topUp(Operation.topUp(user, "GOLD_COINS", 5, "uc-" + user));
        }
        CliRunner.Result first = cli.run("users", "ann", "--limit", "2");
        assertEquals(0, first.exitCode(), first::toString);
        assertEquals("ann\nanna\nmore: --cursor anna\n", first.out());
        CliRunner.Result second = cli.run("users", "ann", "--limit", "2", "--cursor", "anna");
        assertEquals("annb\n", second.out(), second::toString);
        CliRunner.Result json = cli.run("users", "--json");
        assertEquals(
                "{\"users\":[\"ann\",\"anna\",\"annb\",\"bob\"],\"next_cursor\":null}\n", json.out(), json::toString);
        CliRunner.Result bad = cli.run("users", "--limit", "0");
        assertTrue(bad.exitCode() != 0, bad::toString);
    }
}
