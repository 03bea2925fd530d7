package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;

/** sd_notify(3) as systemd receives it: one datagram per state, on a path or an abstract socket. */
class SystemdNotifierTest {
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
