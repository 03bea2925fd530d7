package uprocfs.fuse.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * Tells systemd how the daemon is doing when it runs as a {@code Type=notify} service: one
 * datagram per state change to the AF_UNIX socket named by {@code $NOTIFY_SOCKET}
 * (sd_notify(3)). A name starting with {@code @} is in the abstract namespace, i.e. its first
 * byte is NUL. The JDK's own AF_UNIX channels are stream-only, hence jnr-unixsocket.
 *
 * <p>The watchdog (sd_watchdog_enabled(3)): systemd sets {@code WATCHDOG_USEC} when the unit
 * has {@code WatchdogSec=}, and {@code WATCHDOG_PID} to the process it expects the pings
 * from; a process that is not that one must not ping on another's behalf.
 */
public final class SystemdNotifier {
    private final String socket;
    private final Duration watchdogTimeout;

    SystemdNotifier(String socket) {
        this(socket, Duration.ZERO);
    }

    SystemdNotifier(String socket, Duration watchdogTimeout) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
        this.watchdogTimeout = this.socket == null ? Duration.ZERO : watchdogTimeout;
    }

    /** A notifier for {@code $NOTIFY_SOCKET}, silent when systemd did not set it. */
    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv("NOTIFY_SOCKET"), watchdogTimeout(System.getenv("WATCHDOG_USEC"),
                System.getenv("WATCHDOG_PID"), ProcessHandle.current().pid()));
    }

    /**
     * The watchdog timeout systemd asks for, or zero when it asks for none: {@code usec} is
     * not a positive number of microseconds, or {@code pid} names another process.
     */
    static Duration watchdogTimeout(String usec, String pid, long self) {
        if (usec == null || !usec.matches("[0-9]{1,18}") || Long.parseLong(usec) == 0) {
            return Duration.ZERO;
        }
        if (pid != null && !pid.equals(Long.toString(self))) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.multiplyExact(Long.parseLong(usec), 1000L));
    }

    /** Whether anyone listens: systemd started the daemon as a notify service. */
    public boolean enabled() {
        return socket != null;
    }

    /**
     * How often to send {@code WATCHDOG=1}: half the timeout, as sd_watchdog_enabled(3)
     * advises, so that one late ping is no restart; zero when there is no watchdog.
     */
    public Duration watchdogInterval() {
        return watchdogTimeout.dividedBy(2);
    }

    /**
     * Sends {@code state} (e.g. {@code READY=1}); a failure is logged, never fatal: the
     * filesystem works whether or not systemd hears about it. The socket is non-blocking, so
     * a systemd that does not read costs a lost message, never a stuck caller (the event
     * loop sends the watchdog's pings).
     */
    public void notify(String state, DaemonLog log) {
        if (socket == null) {
            return;
        }
        String address = socket.charAt(0) == '@' ? '\0' + socket.substring(1) : socket;
        try (UnixDatagramChannel channel = UnixDatagramChannel.open()) {
            channel.configureBlocking(false);
            int sent = channel.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)),
                    new UnixSocketAddress(address));
            if (sent == 0) {
                throw new IOException("its queue is full");
            }
        } catch (IOException | RuntimeException e) {
            log.error("cannot notify systemd at " + socket + " (" + state.replace('\n', ' ') + "): " + e.getMessage());
        }
    }

    /** {@code MONOTONIC_USEC=}: when a reload began, on CLOCK_MONOTONIC (System.nanoTime's clock on Linux). */
    static String monotonicNow() {
        return "MONOTONIC_USEC=" + System.nanoTime() / 1000;
    }
}
