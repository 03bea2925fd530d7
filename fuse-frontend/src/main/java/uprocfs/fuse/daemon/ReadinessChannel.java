package uprocfs.fuse.daemon;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * How a daemon started in the background tells the command that started it whether the
 * filesystem is mounted and populated, so that the command returns only then, with the
 * daemon's verdict as its exit code. A JVM cannot fork, so the command starts the daemon as
 * a new process and waits on this channel.
 *
 * <p>The starting side listens on an AF_UNIX stream socket in a fresh directory only root
 * can enter (0700), so no other user can connect and forge a verdict; its path reaches the
 * daemon in {@value #ENVIRONMENT}. The daemon connects once and writes its verdict: the exit
 * code on the first line, a message for the user on the following lines.
 */
public final class ReadinessChannel implements Closeable {
    /** The environment variable that carries the socket's path to the daemon. */
    public static final String ENVIRONMENT = "UPROC_READINESS_SOCKET";

    private static final long POLL_MILLIS = 100;

    /**
     * What the daemon said.
     *
     * @param exitCode 0 when mounted and populated, else one of {@link uprocfs.fuse.ExitCode}
     * @param message  what to tell the user; may span lines, may be empty
     */
    public record Verdict(int exitCode, String message) {
        static Verdict parse(String text) {
            int newline = text.indexOf('\n');
            String first = newline < 0 ? text : text.substring(0, newline);
            try {
                return new Verdict(Integer.parseInt(first.strip()), newline < 0 ? "" : text.substring(newline + 1).strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private final Path directory;
    private final Path socket;
    private final ServerSocketChannel server;

    private ReadinessChannel(Path directory, Path socket, ServerSocketChannel server) {
        this.directory = directory;
        this.socket = socket;
        this.server = server;
    }

    /** Starting side: listens on a socket in a new private directory. */
    public static ReadinessChannel listen() throws IOException {
        Path directory = Files.createTempDirectory("uproc-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = directory.resolve("ready");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(directory);
            throw e;
        }
        return new ReadinessChannel(directory, socket, server);
    }

    /** The path the daemon must connect to. */
    public Path address() {
        return socket;
    }

    /**
     * Starting side: waits for the verdict of {@code daemon}. Returns {@code null} when the
     * daemon ended without giving one or gave none within {@code limit}; the caller decides
     * what that means.
     */
    public Verdict await(Process daemon, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (System.nanoTime() < deadline) {
                boolean alive = daemon.isAlive();
                selector.select(POLL_MILLIS);
                selector.selectedKeys().clear();
                SocketChannel connection = server.accept();
                if (connection != null) {
                    return read(connection);
                }
                // Checked before the select: a daemon that connected and then died has still
                // been given its chance to be heard.
                if (!alive) {
                    return null;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return null;
        }
    }

    private static Verdict read(SocketChannel connection) throws IOException {
        try (connection) {
            connection.configureBlocking(true);
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            // The daemon writes once and closes: read to the end of the stream.
            while (buffer.hasRemaining()) {
                if (connection.read(buffer) < 0) {
                    break;
                }
            }
            buffer.flip();
            return Verdict.parse(StandardCharsets.UTF_8.decode(buffer).toString());
        }
    }

    /** Daemon side: sends the verdict to the starter listening at {@code address}. */
    public static void report(String address, int exitCode, String message) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(address))) {
            ByteBuffer text = StandardCharsets.UTF_8.encode(exitCode + "\n" + message + "\n");
            while (text.hasRemaining()) {
                channel.write(text);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
    }
}
