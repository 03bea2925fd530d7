package uprocfs.fuse.daemon;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * How a daemon started in the background tells the command that started it whether the
 * filesystem is mounted and populated, so that the command returns only then, with the
 * daemon's verdict as its exit code. A JVM cannot fork, so the command starts the daemon as
 * a new process and waits on this channel.
 *
 * <p>The starting side listens on an AF_UNIX stream socket in a fresh directory only root
 * can enter (0700), so no other user can connect and forge a verdict; its path reaches the
 * daemon in {@value #ENVIRONMENT}. The daemon connects as soon as it runs and keeps the
 * connection open while it starts: first {@code note TEXT} lines, what the user should read
 * on the terminal although it is no error (the configuration's warnings); then
 * {@code exit CODE}, and the rest of the stream is the message that goes with it. The end
 * of the stream before an {@code exit} line means the daemon died. A daemon started by the
 * uproc launcher (which waits on a FIFO, not on this socket) first says {@code log PATH}, where
 * it logs, which the launcher names in its messages; this side has its own.
 */
public final class ReadinessChannel implements Closeable {
    /** The environment variable that carries the socket's path to the daemon. */
    public static final String ENVIRONMENT = "UPROC_READINESS_SOCKET";

    private static final long POLL_MILLIS = 100;
    private static final String NOTE = "note ";
    private static final String EXIT = "exit ";
    private static final String LOG = "log ";
    /**
     * Longest line or message heard: far above what the daemon says (a message lists 20
     * configuration errors at most), so that a garbled stream ends instead of filling memory.
     */
    private static final int MAX_TEXT_BYTES = 1 << 20;

    /**
     * What the daemon said.
     *
     * @param exitCode 0 when mounted and populated, else one of {@link uprocfs.fuse.ExitCode}
     * @param message  what to tell the user; may span lines, may be empty
     */
    public record Verdict(int exitCode, String message) {
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
     * Starting side: waits for the daemon's verdict, handing each note to {@code notes} as it
     * arrives.
     *
     * @param daemonAlive whether the daemon still runs: one that ended without connecting
     *                    will never say anything
     * @return the verdict, or {@code null} when the daemon ended (or closed the channel)
     *         without giving one
     * @throws TimeoutException when no verdict came within {@code limit}
     */
    public Verdict await(BooleanSupplier daemonAlive, Duration limit, Consumer<String> notes)
            throws IOException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + limit.toNanos();
        Transcript transcript = new Transcript(notes);
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        SocketChannel connection = null;
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException();
                }
                // Asked before the select: a daemon that connected and then died has still
                // been given its chance to be heard.
                boolean alive = daemonAlive.getAsBoolean();
                selector.select(Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
                selector.selectedKeys().clear();
                if (connection == null) {
                    connection = server.accept();
                    if (connection != null) {
                        connection.configureBlocking(false);
                        connection.register(selector, SelectionKey.OP_READ);
                    }
                }
                if (connection != null) {
                    int read;
                    while ((read = connection.read(buffer)) > 0) {
                        buffer.flip();
                        transcript.hear(buffer);
                        buffer.clear();
                    }
                    if (read < 0 || !alive || transcript.garbled()) {
                        return transcript.verdict();
                    }
                } else if (!alive) {
                    return null;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** What the starting side has heard so far, fed bytes as they arrive. */
    private static final class Transcript {
        private final Consumer<String> notes;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        /** Set by the {@code exit} line; from then on, everything is the message. */
        private Integer exitCode;
        private boolean garbled;

        Transcript(Consumer<String> notes) {
            this.notes = notes;
        }

        void hear(ByteBuffer bytes) {
            while (bytes.hasRemaining() && !garbled) {
                byte b = bytes.get();
                if (exitCode == null && b == '\n') {
                    line(pending.toString(StandardCharsets.UTF_8));
                    pending.reset();
                } else if (pending.size() < MAX_TEXT_BYTES) {
                    pending.write(b);
                } else {
                    garbled = true;
                }
            }
        }

        private void line(String text) {
            if (text.startsWith(LOG)) {
                return;
            }
            if (text.startsWith(NOTE)) {
                notes.accept(text.substring(NOTE.length()));
                return;
            }
            if (text.startsWith(EXIT)) {
                try {
                    exitCode = Integer.parseInt(text.substring(EXIT.length()));
                    return;
                } catch (NumberFormatException e) {
                    // garbled, below
                }
            }
            garbled = true;
        }

        boolean garbled() {
            return garbled;
        }

        /** The verdict heard, or {@code null} when none was, or the stream made no sense. */
        Verdict verdict() {
            if (exitCode == null || garbled) {
                return null;
            }
            return new Verdict(exitCode, pending.toString(StandardCharsets.UTF_8).strip());
        }
    }

    /**
     * The daemon's end: connected as the daemon starts, it passes on notes, then the verdict,
     * and closes.
     */
    public static final class DaemonEnd implements Closeable {
        private final WritableByteChannel channel;
        private final String name;

        private DaemonEnd(WritableByteChannel channel, String name) {
            this.channel = channel;
            this.name = name;
        }

        /** Connects to the starter listening at {@code address}. */
        public static DaemonEnd connect(String address) throws IOException {
            return new DaemonEnd(SocketChannel.open(UnixDomainSocketAddress.of(address)), address);
        }

        /**
         * Speaks to the starter {@code name} over {@code channel} (the launcher's FIFO), which
         * it closes after the verdict.
         */
        public static DaemonEnd over(WritableByteChannel channel, String name) {
            return new DaemonEnd(channel, name);
        }

        /** The starter as the log names it: its socket's path, or what {@link #over} was told. */
        @Override
        public String toString() {
            return name;
        }

        /** Where the daemon logs: first of all, so that the starter can point there whatever happens next. */
        public void logAt(Path log) throws IOException {
            // One line, whatever the path holds.
            write(LOG + log.toString().replace('\n', '?') + "\n");
        }

        /** Something for the user to read now, on the terminal the daemon was started from. */
        public void note(String text) throws IOException {
            StringBuilder lines = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                lines.append(NOTE).append(line).append('\n');
            }
            write(lines.toString());
        }

        /** How startup went; the last thing said, so the channel is closed after it. */
        public void verdict(int exitCode, String message) throws IOException {
            try (channel) {
                write(EXIT + exitCode + "\n" + message + "\n");
            }
        }

        private void write(String text) throws IOException {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
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
