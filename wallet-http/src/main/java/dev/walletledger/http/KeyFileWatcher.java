package dev.walletledger.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a key file when it changes, so keys are added and revoked without a restart.
 *
 * <p>Every {@link #POLL_MILLIS} it compares the file's size, modification time and file key (a file replaced by a
 * rename has a new one) with what it last read: one {@code stat}, nothing else, while nothing changes. On a change
 * it reads the file (at most {@code bytesMax}) and parses it; a good file replaces the keys in force (logged at
 * INFO with the key ids), a bad or unreadable one leaves them as they were (logged at ERROR with the parser's
 * message, which names the file and line and never a hash or a key). Each change is read once: a bad file is not
 * logged again every poll, only when it changes again.
 *
 * <p>Why polling rather than {@code WatchService}: a mounted secret (Kubernetes) is replaced through a symlink
 * swap that a directory watch misses on some file systems, and a 2 s poll of one file costs nothing measurable.
 */
final class KeyFileWatcher implements AutoCloseable {
    static final long POLL_MILLIS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(KeyFileWatcher.class);

    /** One watched file: its variable's name, where it is, how big it may be, and what to do with its text. */
    record Watched<T>(
            String variable,
            Path path,
            long bytesMax,
            Function<String, T> parse,
            Consumer<T> install,
            Function<T, String> describe) {
        Watched {
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(parse, "parse");
            Objects.requireNonNull(install, "install");
            Objects.requireNonNull(describe, "describe");
        }

        String where() {
            return variable + " " + path;
        }
    }

    /** What was seen of a file at its last read: a change of any part means the file changed. */
    private record Stamp(long size, long modifiedNanos, Object fileKey) {}

    private final ScheduledExecutorService timer;
    private final List<Poller<?>> pollers;

    private KeyFileWatcher(List<Poller<?>> pollers, long pollMillis) {
        this.pollers = pollers;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "wallet-key-files");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::pollAll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    /** Starts watching {@code files}, whose current contents are already in force. */
    static KeyFileWatcher start(List<Watched<?>> files, long pollMillis) {
        List<Poller<?>> pollers = files.stream().<Poller<?>>map(Poller::new).toList();
        return new KeyFileWatcher(pollers, pollMillis);
    }

    private void pollAll() {
        for (Poller<?> poller : pollers) {
            try {
                poller.poll();
            } catch (RuntimeException e) { // never let one bad poll end the timer
                LOG.error("{}: checking it for changes failed: {}", poller.watched.where(), e.toString());
            }
        }
    }

    /**
     * The file's text, read once: refused past {@code bytesMax} (checked before reading, and again while reading,
     * for a file that grows in between) and when it is not UTF-8.
     *
     * @throws IllegalArgumentException naming {@code variable} and the file
     */
    static String read(String variable, Path path, long bytesMax) {
        String where = variable + " " + path;
        try {
            if (Files.size(path) > bytesMax) {
                throw new IllegalArgumentException(where + " is over " + bytesMax + " bytes");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes((int) bytesMax + 1);
            }
            if (bytes.length > bytesMax) {
                throw new IllegalArgumentException(where + " is over " + bytesMax + " bytes");
            }
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where + " is not UTF-8 text");
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e);
        }
    }

    private static final class Poller<T> {
        private final Watched<T> watched;
        private Stamp last;

        Poller(Watched<T> watched) {
            this.watched = watched;
            this.last = stamp(watched.path());
        }

        void poll() {
            Stamp now = stamp(watched.path());
            if (Objects.equals(now, last)) {
                return;
            }
            last = now;
            if (now == null) {
                LOG.error("{} cannot be read (missing?); keeping the keys in force", watched.where());
                return;
            }
            T parsed;
            try {
                parsed = watched.parse().apply(read(watched.variable(), watched.path(), watched.bytesMax()));
            } catch (IllegalArgumentException e) {
                LOG.error("{}; keeping the keys in force", e.getMessage());
                return;
            }
            watched.install().accept(parsed);
            LOG.info("{} reloaded: {}", watched.where(), watched.describe().apply(parsed));
        }

        private static Stamp stamp(Path path) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                return new Stamp(
                        attributes.size(),
                        attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                        attributes.fileKey());
            } catch (IOException | SecurityException e) {
                return null;
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
