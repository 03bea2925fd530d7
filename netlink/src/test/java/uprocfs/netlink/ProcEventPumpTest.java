package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import uprocfs.core.event.EventKind;
import uprocfs.testing.Deadline;
import uprocfs.testing.RootEnvironment;

/** The event thread against the real kernel: needs root. */
@Tag("root")
class ProcEventPumpTest {
    private static final int PACED_THREADS = 1_000;
    private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    @BeforeEach
    void needsRoot() {
        RootEnvironment.assumeRoot(ProcEventSourceTest.WHY_ROOT);
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
                // The pump now sleeps for 2 s: five processes, forked at once by one shell, come
                // and go meanwhile (in some milliseconds, a hundredth of the sleep).
                Set<Integer> ours = new HashSet<>();
                ShortLived.run("five processes at once", "for i in 1 2 3 4 5; do /bin/true & echo $!; done; wait")
                    .forEach(pid -> ours.add(Integer.valueOf(pid)));
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

    /**
     * A stream of 2 events a millisecond, paced by the clock, not by how fast the machine
     * forks: four times the density that lengthens the gathering, and sparse enough that a
     * pump which kept reading every millisecond would find two or three events a read.
     */
    @Test
    void aSustainedStreamOfEventsIsReadInFewLargeBatches() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        Set<Integer> exited = ConcurrentHashMap.newKeySet();
        try (ProcEventSource source = ProcEventSource.open(16 << 20)) {
            ProcEventPump pump = new ProcEventPump(source, 4096, batch -> {
                batches.incrementAndGet();
                events.addAndGet(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.kind(i) == EventKind.EXIT && batch.pid(i) == batch.tgid(i)) {
                        exited.add(batch.pid(i));
                    }
                }
            }, failure -> { });
            pump.start();
            try {
                long start = System.nanoTime();
                for (int i = 0; i < PACED_THREADS; i++) {
                    // A thread's start and end are a FORK and an EXIT event (child_pid != child_tgid).
                    Thread t = new Thread(() -> { });
                    t.start();
                    t.join();
                    long next = start + (i + 1) * PACE_NANOS;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                Deadline.printLoad(PACED_THREADS + " threads, one a millisecond", start);
                // The proc connector delivers in order: once this process's exit is handled, so
                // is every thread's before it.
                Process last = new ProcessBuilder("/bin/true").start();
                int pid = (int) last.pid();
                Deadline.await("the pump hands over the exit of " + pid, () ->
                    exited.contains(pid) ? null : "not yet");
            } finally {
                pump.stop();
            }
        }
        System.out.printf("pump: %d events in %d batches%n", events.get(), batches.get());
        assertTrue(events.get() >= 2 * PACED_THREADS, events.get() + " events");
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
