package uprocfs.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/** A datagram socket standing in for systemd's $NOTIFY_SOCKET: keeps every message, in order. */
public final class NotifySocket implements AutoCloseable {
    private final Path path;
    private final UnixDatagramChannel channel;
    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread receiver;

    public NotifySocket(Path path) throws IOException {
        this.path = path;
        channel = UnixDatagramChannel.open();
        channel.bind(new UnixSocketAddress(path.toFile()));
        receiver = new Thread(this::receive, "notify-socket");
        receiver.setDaemon(true);
        receiver.start();
    }

    public Path path() {
        return path;
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                channel.receive(buffer);
                buffer.flip();
                if (buffer.hasRemaining()) {
                    messages.add(StandardCharsets.UTF_8.decode(buffer).toString());
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /**
     * The next message that has a line starting with {@code prefix} (e.g. "READY=1"); the
     * messages before it are kept in {@link #seen}.
     */
    public String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String message = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
            if (message == null) {
                throw new AssertionError("no " + prefix + " within " + timeout.toSeconds() + " s; messages: " + seen);
            }
            seen.add(message);
            for (String line : message.split("\n")) {
                if (line.startsWith(prefix)) {
                    return message;
                }
            }
        }
    }

    /** Every message received so far, in order. */
    public List<String> seen() {
        messages.drainTo(seen);
        return List.copyOf(seen);
    }

    /** The value of {@code key} in {@code message}, or {@code null}. */
    public static String value(String message, String key) {
        for (String line : message.split("\n")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }
}
