package dev.walletledger.example;

import com.zaxxer.hikari.HikariDataSource;
import dev.walletledger.core.Asset;
import dev.walletledger.core.Ledger;
import dev.walletledger.core.LedgerConfig;
import dev.walletledger.core.Operation;
import dev.walletledger.runtime.DataSources;
import dev.walletledger.runtime.EmbeddedDatabase;
import dev.walletledger.runtime.backup.BackupManifest;
import dev.walletledger.runtime.backup.Backups;
import java.nio.file.Path;

/** The wallet-core README's backup example, compiled and run by {@code BackupExampleTest}. */
public final class BackupExample {
    private BackupExample() {}

    /** Backs up a running ledger, writes on, restores the backup into a new directory: the restored report. */
    public static Backups.Restored run(Path dataDir, Path backupDir, Path restoredDir) {
        // README:begin
        try (EmbeddedDatabase database = EmbeddedDatabase.startOrAttach(dataDir);
                HikariDataSource pool = DataSources.pool(database.jdbcUrl(), database.user(), null, 4, "app");
                Ledger ledger = new Ledger(pool, LedgerConfig.defaults())) {
            Ledger.migrate(pool, ledger.config());
            ledger.addAsset(new Asset("GOLD_COINS", "Gold Coins", 0));
            ledger.topUp(Operation.topUp("user_alice", "GOLD_COINS", 500, "payment_1"));
            BackupManifest backup = Backups.physical(ledger, pool, database, backupDir); // writes may go on
            ledger.spend(Operation.spend("user_alice", "GOLD_COINS", 200, "purchase_1")); // after the backup
            System.out.println("backed up " + backup.bytes() + " bytes, taken " + backup.timeRange());
        }
        // Into a new directory (never over one): recovered to the backup's end, then audited. With the WAL
        // archive (WalArchive, WALLET_WAL_ARCHIVE_DIR) it recovers further: .walArchive(dir).toTime(t).
        Backups.Restored restored =
                Backups.restore(Backups.RestoreRequest.of(backupDir, restoredDir), System.err::println);
        System.out.println(restored.report().consistent() ? "restored and consistent" : "INCONSISTENT");
        return restored;
        // README:end
    }
}
