package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ReadinessChannelTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    /** Runs {@code daemon} on a thread of its own, as the daemon's side of the channel. */
    private static Thread daemon(ThrowingRunnable daemon) {
        Thread thread = new Thread(() -> {
            try {
                daemon.run();
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        thread.start();
        return thread;
    }

    private interface ThrowingRunnable {
        void run() throws IOException, InterruptedException;
    }

    @Test
    void theVerdictArrivesWithItsExitCodeAndMessage() throws Exception {
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            Thread daemon = daemon(() -> ReadinessChannel.DaemonEnd.connect(channel.address().toString())
                    .verdict(2, "/etc/uproc.conf:3:5: bad\nsecond line"));
            ReadinessChannel.Verdict verdict = channel.await(() -> true, LIMIT, note -> { });
            daemon.join();
            assertEquals(new ReadinessChannel.Verdict(2, "/etc/uproc.conf:3:5: bad\nsecond line"), verdict);
        }
    }

    @Test
    void whereTheDaemonLogsIsNoNoteAndChangesNoVerdict() throws Exception {
        List<String> heard = new ArrayList<>();
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            Thread daemon = daemon(() -> {
                ReadinessChannel.DaemonEnd end = ReadinessChannel.DaemonEnd.connect(channel.address().toString());
                end.logAt(Path.of("/var/log/odd\nname.log"));
                end.note("a note");
                end.verdict(0, "mounted");
            });
            ReadinessChannel.Verdict verdict = channel.await(() -> true, LIMIT, heard::add);
            daemon.join();
            assertEquals(new ReadinessChannel.Verdict(0, "mounted"), verdict);
            assertEquals(List.of("a note"), heard);
        }
    }

    @Test
    void notesArriveInOrderAsTheyAreSentAndBeforeTheVerdict() throws Exception {
        List<String> heard = new ArrayList<>();
        CountDownLatch secondNoteHeard = new CountDownLatch(2);
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            Thread daemon = daemon(() -> {
                ReadinessChannel.DaemonEnd end = ReadinessChannel.DaemonEnd.connect(channel.address().toString());
                end.note("/etc/uproc.conf:1:5: warning: first");
                end.note("second, a line of its own\nand a third");
                // The starter hears notes while the daemon is still starting, not only at the end.
                if (!secondNoteHeard.await(10, TimeUnit.SECONDS)) {
                    end.close();
                    return;
                }
                end.verdict(0, "mounted /uproc: 1 namespace");
            });
            ReadinessChannel.Verdict verdict = channel.await(() -> true, LIMIT, note -> {
                heard.add(note);
                secondNoteHeard.countDown();
            });
            daemon.join();
            assertEquals(List.of("/etc/uproc.conf:1:5: warning: first", "second, a line of its own", "and a third"),
                    heard);
            assertEquals(new ReadinessChannel.Verdict(0, "mounted /uproc: 1 namespace"), verdict);
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
    void aDaemonThatEndsWithoutConnectingGivesNone() throws Exception {
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            long t0 = System.nanoTime();
            assertNull(channel.await(() -> false, LIMIT, note -> { }));
            assertTrue(System.nanoTime() - t0 < LIMIT.toNanos() / 2, "at once, not at the limit");
        }
    }

    @Test
    void aDaemonThatConnectsAndDiesBeforeItsVerdictGivesNoneButItsNotesArrive() throws Exception {
        List<String> heard = new ArrayList<>();
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            Thread daemon = daemon(() -> {
                try (ReadinessChannel.DaemonEnd end = ReadinessChannel.DaemonEnd.connect(channel.address().toString())) {
                    end.note("a warning");
                }
            });
            assertNull(channel.await(() -> true, LIMIT, heard::add));
            daemon.join();
            assertEquals(List.of("a warning"), heard);
        }
    }

    @Test
    void aVerdictSentJustBeforeTheDaemonEndedIsStillHeard() throws Exception {
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            daemon(() -> ReadinessChannel.DaemonEnd.connect(channel.address().toString())
                    .verdict(3, "mountpoint gone")).join();
            assertEquals(new ReadinessChannel.Verdict(3, "mountpoint gone"), channel.await(() -> false, LIMIT,
                    note -> { }));
        }
    }

    @Test
    void aDaemonThatSaysNothingInTimeTimesOut() throws Exception {
        try (ReadinessChannel channel = ReadinessChannel.listen()) {
            Thread daemon = daemon(() -> {
                try (ReadinessChannel.DaemonEnd end = ReadinessChannel.DaemonEnd.connect(channel.address().toString())) {
                    Thread.sleep(1000);
                }
            });
            long t0 = System.nanoTime();
            assertThrows(TimeoutException.class, () -> channel.await(() -> true, Duration.ofMillis(300), note -> { }));
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(300).toNanos());
            daemon.join();
        }
    }

    @Test
    void garbageIsNoVerdict() throws Exception {
        for (String garbage : List.of("READY\n0\n", "exit zero\n", "note fine\nexit 0", "0\nmounted\n")) {
            try (ReadinessChannel channel = ReadinessChannel.listen()) {
                daemon(() -> {
                    try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(channel.address()))) {
                        raw.write(ByteBuffer.wrap(garbage.getBytes(StandardCharsets.UTF_8)));
                    }
                }).join();
                assertNull(channel.await(() -> true, LIMIT, note -> { }), garbage);
            }
        }
    }
}
