package dev.walletledger.core.internal;

/**
 * Puts the ledger's schema name into SQL text. The name is checked by {@code LedgerConfig} to be a plain
 * lower-case identifier, so it is safe to place in text; values are always bound with {@code ?}.
 */
record SqlText(String schema) {
    public String format(String sql) {
        return sql.replace("{schema}", schema);
    }
}
