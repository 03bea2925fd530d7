package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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
            }, reported::complete);
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
    void stopBeforeStartAndTwiceIsHarmless() throws Exception {
        try (ProcEventSource source = ProcEventSource.open(1 << 16)) {
            ProcEventPump pump = new ProcEventPump(source, 16, batch -> { }, failure -> { });
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
