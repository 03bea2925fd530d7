package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uprocfs.netlink.RootEnvironment.destroy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import uprocfs.core.event.EventKind;

/** The event thread against the real kernel: needs root. */
@Tag("root")
class ProcEventPumpTest {
    @BeforeEach
    void needsRoot() {
        RootEnvironment.assumeRoot();
    }

    @Test
    void pumpHandsOverEventsAndStopEndsItsThreadPromptly() throws Exception {
        Set<Integer> exited = ConcurrentHashMap.newKeySet();
        try (ProcEventSource source = ProcEventSource.open(1 << 20)) {
            ProcEventPump pump = new ProcEventPump(source, 256, batch -> {
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.kind(i) == EventKind.EXIT) {
                        exited.add(batch.pid(i));
                    }
                }
            }, failure -> { });
            pump.start();
            try {
                Process child = new ProcessBuilder("/bin/true").start();
                int pid = (int) child.pid();
                child.waitFor(5, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!exited.contains(pid) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(exited.contains(pid), "the handler saw EXIT of " + pid);
                assertTrue(pump.isRunning());
            } finally {
                long start = System.nanoTime();
                pump.stop();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(tookMillis < 1_000, "stop took " + tookMillis + " ms");
            }
            assertFalse(pump.isRunning());
            assertNull(pump.failure());
            assertFalse(eventThreadAlive(), "no uproc-events thread is left");
        }
    }

    @Test
    void handlerFailureStopsThePumpVisibly() throws Exception {
        IllegalStateException boom = new IllegalStateException("engine broke");
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        try (ProcEventSource source = ProcEventSource.open(1 << 20)) {
            ProcEventPump pump = new ProcEventPump(source, 16, batch -> {
                throw boom;
            }, reported::complete, Duration.ZERO, Duration.ZERO);
            pump.start();
            try {
                new ProcessBuilder("/bin/true").start().waitFor(5, TimeUnit.SECONDS);
                assertSame(boom, reported.get(10, TimeUnit.SECONDS));
                assertSame(boom, pump.failure());
            } finally {
                pump.stop();
            }
            assertFalse(pump.isRunning());
            assertFalse(eventThreadAlive());
        }
    }

    @Test
    void eventsThatArriveWhileThePumpGathersComeInOneBatch() throws Exception {
        CompletableFuture<Void> firstBatch = new CompletableFuture<>();
        List<Set<Integer>> exitsByBatch = new ArrayList<>();
        try (ProcEventSource source = ProcEventSource.open(1 << 20)) {
            ProcEventPump pump = new ProcEventPump(source, 4096, batch -> {
                Set<Integer> exits = new HashSet<>();
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.kind(i) == EventKind.EXIT && batch.pid(i) == batch.tgid(i)) {
                        exits.add(batch.pid(i));
                    }
                }
                synchronized (exitsByBatch) {
                    exitsByBatch.add(exits);
                }
                firstBatch.complete(null);
            }, failure -> { }, Duration.ofSeconds(2), Duration.ofSeconds(2));
            pump.start();
            try {
                new ProcessBuilder("/bin/true").start().waitFor(5, TimeUnit.SECONDS);
                firstBatch.get(10, TimeUnit.SECONDS);
                // The pump now sleeps for 2 s: five processes come and go meanwhile.
                Set<Integer> ours = new HashSet<>();
                for (int i = 0; i < 5; i++) {
                    Process child = new ProcessBuilder("/bin/true").start();
                    child.waitFor(5, TimeUnit.SECONDS);
                    ours.add((int) child.pid());
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int batchesWithOurs;
                Set<Integer> seen = new HashSet<>();
                do {
                    Thread.sleep(10);
                    seen.clear();
                    batchesWithOurs = 0;
                    synchronized (exitsByBatch) {
                        for (Set<Integer> exits : exitsByBatch) {
                            int before = seen.size();
                            exits.stream().filter(ours::contains).forEach(seen::add);
                            if (seen.size() > before) {
                                batchesWithOurs++;
                            }
                        }
                    }
                } while (!seen.containsAll(ours) && System.nanoTime() < deadline);
                assertTrue(seen.containsAll(ours), "the handler saw the exits of " + ours + ": " + seen);
                assertEquals(1, batchesWithOurs, "batches that held the exits of " + ours);
            } finally {
                long start = System.nanoTime();
                pump.stop();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(tookMillis < 1_000, "stop cut the 2 s gathering short: took " + tookMillis + " ms");
            }
        }
    }

    @Test
    void aSustainedStreamOfEventsIsReadInFewLargeBatches() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        try (ProcEventSource source = ProcEventSource.open(16 << 20)) {
            ProcEventPump pump = new ProcEventPump(source, 4096, batch -> {
                batches.incrementAndGet();
                events.addAndGet(batch.size());
            }, failure -> { });
            pump.start();
            try {
                // 300 short commands, one after the other: a fork, an exec and an exit every
                // millisecond or two, for a second or more.
                Process storm = new ProcessBuilder("/bin/sh", "-c",
                    "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done").start();
                try {
                    assertTrue(storm.waitFor(60, TimeUnit.SECONDS), "300 short processes ran");
                } finally {
                    destroy(storm);
                }
                Thread.sleep(3 * ProcEventPump.LONGEST_GATHER.toMillis());
            } finally {
                pump.stop();
            }
        }
        // Read per datagram, or every millisecond, a batch would hold one to three events.
        assertTrue(events.get() >= 900, events.get() + " events");
        assertTrue(events.get() >= 8 * batches.get(),
            events.get() + " events came in " + batches.get() + " batches: the gathering interval did not grow");
    }

    @Test
    void stopBeforeStartAndTwiceIsHarmless() throws Exception {
        try (ProcEventSource source = ProcEventSource.open(1 << 16)) {
            ProcEventPump pump = new ProcEventPump(source, 16, batch -> { }, failure -> { }, Duration.ZERO,
                Duration.ZERO);
            pump.stop();
            pump.stop();
            assertFalse(pump.isRunning());
            assertEquals(null, pump.failure());
        }
    }

    private static boolean eventThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals(ProcEventPump.THREAD_NAME) && t.isAlive());
    }
}
