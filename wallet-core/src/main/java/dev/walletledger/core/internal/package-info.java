/**
 * The ledger's machinery: SQL, locks, retries, the write engine, the audit. <b>Not API.</b> Its classes are
 * public only because {@link dev.walletledger.core.Ledger} and {@code dev.walletledger.runtime} use them
 * across packages; they change whenever the engine does. A program embeds the ledger through
 * {@code dev.walletledger.core} and {@code dev.walletledger.runtime} alone. The server and the CLI are held
 * to that too: a test fails when their main code imports from this package.
 */
package dev.walletledger.core.internal;
