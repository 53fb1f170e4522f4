package dev.walletledger.example;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Balance;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.Operation;

/** The README's embedding example, compiled and run by {@code EmbeddingExampleTest}. */
public final class EmbeddingExample {
    private EmbeddingExample() {}

    public static Balance run(String jdbcUrl, String user, String password) {
        // README:begin
        try (HikariDataSource dataSource = new HikariDataSource()) {
            dataSource.setJdbcUrl(jdbcUrl); // jdbc:postgresql://localhost:5432/app
            dataSource.setUsername(user);
            dataSource.setPassword(password);
            LedgerConfig config = LedgerConfig.defaults(); // schema "wallet", READ COMMITTED
            Ledger.migrate(dataSource, config); // creates or upgrades the schema
            Ledger ledger = new Ledger(dataSource, config);
            ledger.addAsset(new Asset("GOLD_COINS", "Gold Coins", 0)); // a no-op when it exists
            ledger.topUp(Operation.topUp("user_alice", "GOLD_COINS", 10_000, "payment_stripe_pi_xxx"));
            ledger.spend(Operation.spend("user_alice", "GOLD_COINS", 300, "purchase_item_xyz"));
            return ledger.balance("user_alice", "GOLD_COINS"); // 9700: one indexed row, never stale
        }
        // README:end
    }
}
