/**
 * The ledger's machinery: SQL, locks, retries, the write engine, the audit. <b>Not API.</b> One class is
 * public, {@link dev.walletledger.core.internal.Engine}, because {@link dev.walletledger.core.Ledger} (another
 * package) is built on it; every other class here is package-private, and all of it changes whenever the
 * engine does. A program embeds the ledger through {@code dev.walletledger.core} and {@code
 * dev.walletledger.runtime} alone. The server and the CLI are held to that too: a test fails when their main
 * code imports from this package.
 */
package dev.walletledger.core.internal;
