package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadinessChannelTest {
    private Process stillStarting;

    @BeforeEach
    void aDaemonThatIsStillStarting() throws IOException {
        stillStarting = new ProcessBuilder("sleep", "60").start();
    }

    @AfterEach
    void stopIt() throws InterruptedException {
        stillStarting.destroyForcibly();
        stillStarting.waitFor();
    }

    @Test
    void theVerdictArrivesWithItsExitCodeAndMessage() throws Exception {
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            Thread daemon = new Thread(() -> {
                try {
                    ReadinessChannel.report(channel.address().toString(), 2, "/etc/uproc.conf:3:5: bad\nsecond line");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            daemon.start();
            ReadinessChannel.Verdict verdict = channel.await(stillStarting, Duration.ofSeconds(10));
            daemon.join();
            assertEquals(2, verdict.exitCode());
            assertEquals("/etc/uproc.conf:3:5: bad\nsecond line", verdict.message());
        }
    }

    @Test
    void theSocketLivesInADirectoryOnlyItsOwnerCanEnterAndIsRemovedAfter() throws Exception {
        Path socket;
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            socket = channel.address();
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            assertTrue(Files.exists(socket));
        }
        assertFalse(Files.exists(socket));
        assertFalse(Files.exists(socket.getParent()));
    }

    @Test
    void aDaemonThatDiesWithoutAVerdictGivesNone() throws Exception {
        Process died = new ProcessBuilder("true").start();
        died.waitFor();
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            assertNull(channel.await(died, Duration.ofSeconds(10)));
        }
    }

    @Test
    void aDaemonThatSaysNothingInTimeGivesNone() throws Exception {
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            long t0 = System.nanoTime();
            assertNull(channel.await(stillStarting, Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(300).toNanos());
        }
    }

    @Test
    void garbageIsNoVerdict() {
        assertNull(ReadinessChannel.Verdict.parse("READY\n"));
        assertEquals(new ReadinessChannel.Verdict(0, ""), ReadinessChannel.Verdict.parse("0\n"));
    }
}
