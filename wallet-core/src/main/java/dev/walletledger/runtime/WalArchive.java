package dev.walletledger.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;

/**
 * Continuous WAL archiving for the embedded PostgreSQL ({@code WALLET_WAL_ARCHIVE_DIR}): every completed
 * WAL file is copied into {@code directory}, durably, by a script of ours that PostgreSQL runs as its
 * {@code archive_command}. With a base backup ({@code wallet backup}), the archive allows a restore to any
 * moment since that backup ({@code wallet restore --to-time}).
 *
 * <p>Bounded: the script refuses to archive once the archive holds {@code maxBytes} (and when a copy
 * fails, a full disk included). PostgreSQL then keeps the WAL file in its own directory and tries again,
 * so nothing is lost, and the failures show in {@code pg_stat_archiver}: in the server's {@code /metrics},
 * its health details and its log. Nothing is ever deleted from the archive by the ledger. A WAL file is
 * switched at least every {@link #TIMEOUT_SECONDS} s while writes happen, which bounds what a lost disk
 * can take with it (a switched file is archived whole, 16 MiB, however little it holds: at most 4.6 GiB a
 * day on a lightly written ledger).
 *
 * <p>The settings live in the data directory ({@code wallet-archive.conf}, included by
 * {@code postgresql.conf}), so whoever starts this PostgreSQL archives the same way.
 */
public record WalArchive(Path directory, long maxBytes) {
    /** Archiving off. */
    public static final WalArchive OFF = new WalArchive(null, 0);

    /** The most WAL time a lost disk can take with it while writes happen ({@code archive_timeout}). */
    public static final int TIMEOUT_SECONDS = 300;

    static final String CONF = "wallet-archive.conf";
    static final String SCRIPT = "wal-archive.sh";
    private static final String INCLUDE = "include_if_exists = '" + CONF + "'";

    public WalArchive {
        if (directory != null) {
            directory = directory.toAbsolutePath().normalize();
            if (directory.toString().contains("'") || directory.toString().contains("\"")) {
                throw new IllegalArgumentException("WALLET_WAL_ARCHIVE_DIR must not contain quotes");
            }
            if (maxBytes < 64L * 1024 * 1024) {
                throw new IllegalArgumentException("WALLET_WAL_ARCHIVE_MAX_BYTES must be at least 64 MiB");
            }
        }
    }

    public static WalArchive to(Path directory, long maxBytes) {
        return new WalArchive(Objects.requireNonNull(directory, "directory"), maxBytes);
    }

    /** Removes the archiving settings from a PostgreSQL data directory (a restored one archives nowhere yet). */
    public static void removeSettings(Path data) throws IOException {
        Files.deleteIfExists(data.resolve(CONF));
    }

    public boolean enabled() {
        return directory != null;
    }

    /**
     * Writes (or removes) the settings and the script; true when PostgreSQL must reload them. Its
     * {@code archive_mode} takes a restart: the caller passes it on the command line as well.
     */
    boolean apply(Path walletDirectory, Path data) throws IOException {
        Path conf = data.resolve(CONF);
        if (!enabled()) {
            return Files.deleteIfExists(conf);
        }
        Files.createDirectories(directory);
        Path script = walletDirectory.resolve(SCRIPT);
        write(script, script());
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path postgresqlConf = data.resolve("postgresql.conf");
        List<String> lines = Files.readAllLines(postgresqlConf, StandardCharsets.UTF_8);
        if (!lines.contains(INCLUDE)) {
            Files.writeString(
                    postgresqlConf,
                    "\n# WAL archiving, set by wallet-ledger (WALLET_WAL_ARCHIVE_DIR)\n" + INCLUDE + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        String settings = "# Written by wallet-ledger at each start from WALLET_WAL_ARCHIVE_DIR; do not edit.\n"
                + "archive_mode = on\n"
                + "archive_command = '\"" + script + "\" \"%p\" \"%f\"'\n"
                + "archive_timeout = " + TIMEOUT_SECONDS + "\n";
        boolean changed = !Files.exists(conf)
                || !Files.readString(conf, StandardCharsets.UTF_8).equals(settings);
        write(conf, settings);
        return changed;
    }

    /** POSIX sh: copy, fsync, rename; an identical file already there is success; refuse past the bound. */
    private String script() {
        return """
                #!/bin/sh
                # wallet-ledger's WAL archive command: "$1" is the WAL file's path, "$2" its name.
                set -u
                archive='%s'
                max_bytes=%d
                target="$archive/$2"
                if [ -f "$target" ]; then
                  if cmp -s "$1" "$target"; then exit 0; fi
                  echo "wal-archive: $target exists with other content; refusing to overwrite it" >&2
                  exit 1
                fi
                used=$(du -sb "$archive") || exit 1
                used=${used%%%%[[:space:]]*}
                case "$used" in ''|*[!0-9]*) echo "wal-archive: cannot measure $archive" >&2; exit 1;; esac
                size=$(stat -c %%s "$1") || exit 1
                if [ $((used + size)) -gt "$max_bytes" ]; then
                  echo "wal-archive: $archive holds $used bytes; its bound is $max_bytes (WALLET_WAL_ARCHIVE_MAX_BYTES)" >&2
                  exit 1
                fi
                cp "$1" "$target.wallet-copy" || { rm -f "$target.wallet-copy"; exit 1; }
                sync "$target.wallet-copy" || exit 1
                mv "$target.wallet-copy" "$target" || exit 1
                sync "$archive" || exit 1
                """.formatted(directory, maxBytes);
    }

    private static void write(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        Files.move(
                partial,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
