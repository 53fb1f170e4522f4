package dev.walletledger.cli.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time of a HotSpot JVM's JIT compiler threads, read from {@code /proc/<pid>/task/*}{@code /stat}
 * (threads named {@code C1 CompilerThre…} and {@code C2 CompilerThre…}; the kernel keeps 15 characters
 * of a thread's name). While they are busy the JVM under test is still compiling, and a measurement then
 * charges compilation to the server. Linux only: elsewhere every reading is empty (no compiler time seen).
 */
final class CompilerThreads {
    /** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private static final int TASKS_MAX = 10_000;

    private CompilerThreads() {}

    /** CPU ticks of each compiler thread (by thread id) of the live process {@code pid} now. */
    static Map<Long, Long> ticks(long pid) {
        Map<Long, Long> ticks = new HashMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            int seen = 0;
            for (Path thread : threads) {
                if (++seen > TASKS_MAX) {
                    break;
                }
                try {
                    String stat = Files.readString(thread.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close);
                    if (!isCompiler(name)) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    ticks.put(
                            Long.parseLong(thread.getFileName().toString()),
                            Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return ticks;
    }

    static boolean isCompiler(String threadName) {
        return threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre");
    }

    /**
     * Compiler CPU seconds between two readings. A compiler thread that ended in between (HotSpot retires
     * idle extra ones) loses its last interval; one that started counts from zero.
     */
    static double secondsBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long ticks = 0;
        for (Map.Entry<Long, Long> thread : after.entrySet()) {
            ticks += Math.max(0, thread.getValue() - before.getOrDefault(thread.getKey(), 0L));
        }
        return ticks / TICKS_PER_SECOND;
    }
}
