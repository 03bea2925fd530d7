package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uprocfs.netlink.ShortLived.destroy;
import static uprocfs.netlink.ReceivedEvent.any;
import static uprocfs.netlink.ReceivedEvent.receiveUntil;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import uprocfs.core.event.EventBatch;
import uprocfs.core.event.EventKind;
import uprocfs.core.stats.Metric;
import uprocfs.testing.RootEnvironment;

/** Against the real kernel: needs root. */
@Tag("root")
class ProcEventSourceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String WHY_ROOT = "CAP_NET_ADMIN: SO_RCVBUFFORCE, and the proc connector before Linux 6.6";

    @BeforeEach
    void needsRoot() {
        RootEnvironment.assumeRoot(WHY_ROOT);
    }

    @Test
    void kernelAcknowledgesTheSubscriptionAndGrantsAReceiveBufferBeyondRmemMax() throws Exception {
        int rmemMax = Integer.parseInt(Files.readString(new File("/proc/sys/net/core/rmem_max").toPath()).trim());
        int requested = rmemMax + (1 << 20);
        try (ProcEventSource source = ProcEventSource.open(requested)) {
            assertTrue(source.acknowledged(), "the kernel acknowledged PROC_CN_MCAST_LISTEN");
            assertTrue(source.receiveBufferBytes() >= requested,
                "SO_RCVBUFFORCE granted " + source.receiveBufferBytes() + " for " + requested);
        }
    }

    @Test
    void processLifecycleArrivesAsForkExecAndExit() throws Exception {
        try (ProcEventSource source = ProcEventSource.open(1 << 20)) {
            Process shell = new ProcessBuilder("/bin/sh", "-c", "sleep 0.2 & wait").start();
            try {
                int pid = (int) shell.pid();
                List<ReceivedEvent> seen = receiveUntil(source, events -> any(events, EventKind.EXIT, pid), TIMEOUT);

                assertTrue(seen.stream().anyMatch(e -> e.kind() == EventKind.FORK && e.pid() == pid && e.tgid() == pid),
                    "FORK of " + pid);
                assertTrue(any(seen, EventKind.EXEC, pid), "EXEC of " + pid);
                assertTrue(seen.stream().anyMatch(e -> e.kind() == EventKind.FORK && e.parentTgid() == pid),
                    "FORK of the sleep whose parent is " + pid);
                assertTrue(any(seen, EventKind.EXIT, pid), "EXIT of " + pid);
                assertEquals(0, source.count(Metric.MALFORMED));
            } finally {
                destroy(shell);
            }
        }
    }

    @Test
    void javaThreadArrivesAsForkWhoseChildPidDiffersFromItsTgid() throws Exception {
        int jvm = (int) ProcessHandle.current().pid();
        CountDownLatch release = new CountDownLatch(1);
        Thread probe = new Thread(() -> awaitQuietly(release), "uproc-probe");
        try (ProcEventSource source = ProcEventSource.open(1 << 20)) {
            probe.start();
            int tid = taskIdNamed("uproc-probe");
            List<ReceivedEvent> seen = receiveUntil(source, events -> any(events, EventKind.FORK, tid), TIMEOUT);

            ReceivedEvent fork = seen.stream().filter(e -> e.kind() == EventKind.FORK && e.pid() == tid)
                .findFirst().orElseThrow(() -> new AssertionError("no FORK for thread " + tid));
            assertEquals(jvm, fork.tgid(), "the thread belongs to this JVM's thread group");
            assertTrue(fork.pid() != fork.tgid(), "child_pid != child_tgid marks a thread");
        } finally {
            release.countDown();
            probe.join();
        }
    }

    @Test
    void renameArrivesAsCommEventCutToFifteenBytes() throws Exception {
        try (ProcEventSource source = ProcEventSource.open(1 << 20)) {
            // The kernel lets only the task's own thread group write /proc/PID/comm
            // (comm_write), so the child renames itself. It then execs, keeping its pid, so
            // that destroying that pid leaves no orphan behind.
            Process shell = new ProcessBuilder("/bin/sh", "-c",
                "printf %s uproc-renamed-process > /proc/$$/comm; exec sleep 5").start();
            try {
                int pid = (int) shell.pid();
                List<ReceivedEvent> seen = receiveUntil(source, events -> any(events, EventKind.COMM, pid), TIMEOUT);

                ReceivedEvent comm = seen.stream().filter(e -> e.kind() == EventKind.COMM && e.pid() == pid)
                    .findFirst().orElseThrow(() -> new AssertionError("no COMM for " + pid));
                assertEquals("uproc-renamed-p", comm.comm());
                assertEquals(pid, comm.tgid());
            } finally {
                destroy(shell);
            }
        }
    }

    @Test
    void overflowMarksTheBatchLostAndTheSocketKeepsDelivering() throws Exception {
        try (ProcEventSource source = ProcEventSource.open(4096)) {
            // The kernel grants 8 KiB, room for about ten events (832 bytes each): 30 processes
            // that fork, exec and exit while nobody reads make 90 and more.
            ShortLived.run("30 short processes", "i=0; while [ $i -lt 30 ]; do /bin/true; i=$((i+1)); done");

            EventBatch batch = new EventBatch(1024);
            boolean lost = false;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            int added;
            do {
                batch.clear();
                added = source.receive(batch, 100);
                lost |= batch.lost();
            } while ((added > 0 || batch.lost()) && System.nanoTime() < deadline);

            assertTrue(lost, "a batch was marked lost after " + source.count(Metric.DATAGRAMS) + " datagrams");
            assertTrue(source.count(Metric.OVERFLOWS) > 0, "overflows counted");
            // ENOBUFS is reported while the queue is still full of older datagrams: they are
            // read and thrown away, so that the resync is not undone by them.
            assertTrue(source.count(Metric.DISCARDED) > 0, "the datagrams queued before the loss were discarded");

            Process after = new ProcessBuilder("/bin/true").start();
            try {
                int pid = (int) after.pid();
                List<ReceivedEvent> seen = receiveUntil(source, events -> any(events, EventKind.EXIT, pid), TIMEOUT);
                assertTrue(any(seen, EventKind.EXIT, pid), "events still arrive after the overflow");
            } finally {
                destroy(after);
            }
        }
    }

    @Test
    void hundredsOfQueuedDatagramsArriveOnceEachAndInOrder() throws Exception {
        try (ProcEventSource source = ProcEventSource.open(16 << 20)) {
            // Nobody reads while 200 processes fork, exec and exit: 600 datagrams and more
            // queue up, several recvmmsg vectors' worth, read below into batches of an odd size.
            List<Integer> pids = ShortLived.run("200 short processes, one after the other",
                "i=0; while [ $i -lt 200 ]; do /bin/true & echo $!; wait; i=$((i+1)); done").stream()
                .map(Integer::valueOf).toList();
            assertEquals(200, pids.size());

            Map<Integer, StringBuilder> lifecycle = new HashMap<>();
            for (int pid : pids) {
                lifecycle.put(pid, new StringBuilder());
            }
            EventBatch batch = new EventBatch(97);
            int added;
            do {
                batch.clear();
                added = source.receive(batch, 200);
                assertFalse(batch.lost(), "no event was lost");
                for (int i = 0; i < batch.size(); i++) {
                    StringBuilder seen = lifecycle.get(batch.tgid(i));
                    if (seen != null && batch.pid(i) == batch.tgid(i)) {
                        seen.append(EventKind.name(batch.kind(i))).append(' ');
                    }
                }
            } while (added > 0);

            for (int pid : pids) {
                assertEquals("fork exec exit ", lifecycle.get(pid).toString(),
                    "events of " + pid);
            }
            assertEquals(0, source.count(Metric.MALFORMED));
        }
    }

    @Test
    void closeIsIdempotentAndReceivingAfterCloseIsRefused() throws Exception {
        ProcEventSource source = ProcEventSource.open(1 << 16);
        source.close();
        assertDoesNotThrow(source::close);
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> source.receive(new EventBatch(1), 0));
        assertEquals("the proc event source is closed", e.getMessage());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The kernel task id of this JVM's thread named {@code name}: HotSpot sets a Java thread's
     * name as its native name when the thread starts, so it shows in /proc/self/task/TID/comm.
     */
    private static int taskIdNamed(String name) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            File[] tasks = new File("/proc/self/task").listFiles();
            if (tasks != null) {
                for (File task : tasks) {
                    try {
                        String comm = Files.readString(new File(task, "comm").toPath(), StandardCharsets.ISO_8859_1);
                        if (comm.strip().equals(name)) {
                            return Integer.parseInt(task.getName());
                        }
                    } catch (java.nio.file.NoSuchFileException ended) {
                        // that thread ended while we listed: not ours
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no task of this JVM is named " + name);
    }
}
