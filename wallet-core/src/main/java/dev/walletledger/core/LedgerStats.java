package dev.walletledger.core;

import java.math.BigInteger;
import java.util.List;

/** Counts per asset. {@code sum} is the signed total over all its wallets: always zero in a sound ledger. */
public record LedgerStats(List<AssetStats> assets) {
    public LedgerStats {
        assets = List.copyOf(assets);
    }

    public record AssetStats(
            String assetCode,
            long userWallets,
            long transactions,
            long entries,
            BigInteger userBalances,
            BigInteger sum) {}
}
