package uprocfs.fuse.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * Tells systemd how the daemon is doing when it runs as a {@code Type=notify} service: one
 * datagram per state change to the AF_UNIX socket named by {@code $NOTIFY_SOCKET}
 * (sd_notify(3)). A name starting with {@code @} is in the abstract namespace, i.e. its first
 * byte is NUL. The JDK's own AF_UNIX channels are stream-only, hence jnr-unixsocket.
 */
public final class SystemdNotifier {
    private final String socket;

    SystemdNotifier(String socket) {
        this.socket = socket;
    }

    /** A notifier for {@code $NOTIFY_SOCKET}, silent when systemd did not set it. */
    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv("NOTIFY_SOCKET"));
    }

    /**
     * Sends {@code state} (e.g. {@code READY=1}); a failure is logged, never fatal: the
     * filesystem works whether or not systemd hears about it.
     */
    public void notify(String state, DaemonLog log) {
        if (socket == null || socket.isEmpty()) {
            return;
        }
        String address = socket.charAt(0) == '@' ? '\0' + socket.substring(1) : socket;
        try (UnixDatagramChannel channel = UnixDatagramChannel.open()) {
            channel.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)), new UnixSocketAddress(address));
        } catch (IOException | RuntimeException e) {
            log.error("cannot notify systemd at " + socket + " (" + state.replace('\n', ' ') + "): " + e.getMessage());
        }
    }
}
