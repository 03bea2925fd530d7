package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uprocfs.netlink.ReceivedEvent.any;
import static uprocfs.netlink.ReceivedEvent.receiveUntil;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.core.event.EventKind;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;
import uprocfs.testing.RootEnvironment;

/** The kernel's taskstats, against the real kernel: needs root. */
@Tag("root")
class TaskExitSourceTest {
    @BeforeEach
    void needsRoot() {
        RootEnvironment.assumeRoot("CAP_NET_ADMIN: registering a taskstats listener");
    }

    @Test
    void theNameOfAnEndedCommandIsThereOnceItsExitEventHasArrived() throws Exception {
        Counters counters = new Counters();
        try (ProcEventSource events = ProcEventSource.open(1 << 20);
             TaskExitSource names = TaskExitSource.open(1 << 20, counters)) {
            // /bin/false: it execs and ends in well under a millisecond.
            Process p = new ProcessBuilder("/bin/false").start();
            int pid = (int) p.pid();
            assertEquals(1, p.waitFor());
            receiveUntil(events, seen -> any(seen, EventKind.EXIT, pid), Duration.ofSeconds(10));
            // The report was sent before the EXIT event: one drain after it finds the name.
            names.drain();
            assertEquals("false", names.take(pid));
            assertNull(names.take(pid), "taken once");
            assertTrue(counters.get(Metric.EXIT_NAMES) >= 1);
            assertEquals(0, counters.get(Metric.EXIT_NAMES_LOST));
        }
    }

    @Test
    void aProcessThatHasNotEndedHasNoName() throws Exception {
        try (TaskExitSource names = TaskExitSource.open(1 << 20, new Counters())) {
            names.drain();
            assertNull(names.take((int) ProcessHandle.current().pid()));
            names.close();
            names.close();
        }
    }
}
