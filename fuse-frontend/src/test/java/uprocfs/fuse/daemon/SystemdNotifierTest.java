package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import uprocfs.testing.NotifySocket;

/** sd_notify(3) as systemd receives it: one datagram per state, on a path or an abstract socket. */
class SystemdNotifierTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final DaemonLog log = DaemonLog.forCommand(new PrintStream(logged, true, StandardCharsets.UTF_8));

    private static String receive(UnixDatagramChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        channel.receive(buffer);
        buffer.flip();
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }

    @Test
    void readinessReachesASocketNamedByPath() throws IOException {
        Path dir = Files.createTempDirectory("uproc-notify");
        Path socket = dir.resolve("notify");
        try (UnixDatagramChannel systemd = UnixDatagramChannel.open()) {
            systemd.bind(new UnixSocketAddress(socket.toFile()));
            new SystemdNotifier(socket.toString()).notify("READY=1\nMAINPID=42", log);
            assertEquals("READY=1\nMAINPID=42", receive(systemd));
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
        assertEquals("", logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anAtSignNamesAnAbstractSocket() throws IOException {
        String name = "uproc-notify-test-" + ProcessHandle.current().pid();
        try (UnixDatagramChannel systemd = UnixDatagramChannel.open()) {
            systemd.bind(new UnixSocketAddress("\0" + name));
            new SystemdNotifier("@" + name).notify("STOPPING=1", log);
            assertEquals("STOPPING=1", receive(systemd));
        }
    }

    @Test
    void theWatchdogIsPingedAtHalfItsTimeoutAndOnlyByTheProcessSystemdNamed() {
        assertEquals(Duration.ofSeconds(30), SystemdNotifier.watchdogTimeout("30000000", null, 7));
        assertEquals(Duration.ofSeconds(30), SystemdNotifier.watchdogTimeout("30000000", "7", 7));
        assertEquals(Duration.ZERO, SystemdNotifier.watchdogTimeout("30000000", "8", 7));
        for (String usec : new String[] {null, "", "0", "-5", "30s", "99999999999999999999"}) {
            assertEquals(Duration.ZERO, SystemdNotifier.watchdogTimeout(usec, null, 7), usec);
        }
        assertEquals(Duration.ofSeconds(15), new SystemdNotifier("/run/notify", Duration.ofSeconds(30))
                .watchdogInterval());
        // Without a socket to ping there is no watchdog, whatever WATCHDOG_USEC says.
        assertEquals(Duration.ZERO, new SystemdNotifier(null, Duration.ofSeconds(30)).watchdogInterval());
    }

    @Test
    void theHeartbeatPingsAndSendsTheStatusOnlyWhenItChanged() throws Exception {
        Path dir = Files.createTempDirectory("uproc-notify");
        AtomicReference<String> status = new AtomicReference<>("1 namespace, 3 processes");
        try (NotifySocket systemd = new NotifySocket(dir.resolve("notify"))) {
            ServiceHeartbeat heartbeat = new ServiceHeartbeat(
                    new SystemdNotifier(systemd.path().toString(), Duration.ofMillis(2)), log, status::get);
            assertTrue(heartbeat.watchdog());
            heartbeat.tick();
            assertEquals("WATCHDOG=1\nSTATUS=1 namespace, 3 processes", systemd.await("WATCHDOG=1", WAIT));
            Thread.sleep(2);
            heartbeat.tick();
            assertEquals("WATCHDOG=1", systemd.await("WATCHDOG=1", WAIT));
            status.set("1 namespace, 4 processes");
            Thread.sleep(2);
            heartbeat.tick();
            assertEquals("WATCHDOG=1\nSTATUS=1 namespace, 4 processes", systemd.await("WATCHDOG=1", WAIT));
        } finally {
            Files.delete(dir);
        }
        assertEquals("", logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutAWatchdogTheHeartbeatSendsOnlyStatusChanges() throws Exception {
        Path dir = Files.createTempDirectory("uproc-notify");
        try (NotifySocket systemd = new NotifySocket(dir.resolve("notify"))) {
            ServiceHeartbeat heartbeat = new ServiceHeartbeat(new SystemdNotifier(systemd.path().toString()), log,
                    () -> "2 namespaces, 0 processes");
            assertFalse(heartbeat.watchdog());
            heartbeat.tick();
            heartbeat.tick();
            assertEquals("STATUS=2 namespaces, 0 processes", systemd.await("STATUS=", WAIT));
            // The second tick came before the status interval, and the status had not changed.
            Thread.sleep(200);
            assertEquals(1, systemd.seen().size(), systemd.seen().toString());
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void withoutSystemdNothingIsSentOrLogged() {
        new SystemdNotifier(null).notify("READY=1", log);
        assertEquals("", logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSocketThatIsGoneIsLoggedNotFatal() {
        new SystemdNotifier("/nonexistent/notify").notify("READY=1", log);
        assertTrue(logged.toString(StandardCharsets.UTF_8).startsWith("uproc: error: cannot notify systemd at "
                + "/nonexistent/notify (READY=1): "), logged.toString(StandardCharsets.UTF_8));
    }
}
