package uprocfs.core.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a {@code /proc/PID/status} file to its end into one buffer that is reused from file
 * to file (a scan reads thousands) and grows only for a file that needs it.
 *
 * <p>A status file is about 1.5 KiB, read in one {@code read} plus the one that sees EOF, as
 * a 4 KiB buffer always was. But its {@code Groups:} line, which comes before
 * {@code Threads:}, lists every supplementary group: 6 bytes a group for five-digit gids,
 * so a directory-service user in 1,000 groups has a 7 to 12 KiB file. Cut at a fixed size,
 * such a file loses {@code Threads:}, and a zombie leader whose threads run on (State Z,
 * Threads 3) looks like a process that has exited. So the buffer doubles until the file
 * ends, up to {@link #MAX_BYTES}.
 */
final class StatusBuffer {
    /** Enough for every status file of a process without a long group list. */
    static final int INITIAL_BYTES = 4096;
    /**
     * The most read of one file: 1 MiB. The longest {@code Groups:} line is NGROUPS_MAX
     * (65,536) gids of up to 10 digits and a space, 720,896 bytes, and the other lines are
     * under 4 KiB, so this holds any status file; past it the text is cut and
     * {@link ProcStatus#parse} finds no {@code Threads:}.
     */
    static final int MAX_BYTES = 1 << 20;

    private ByteBuffer buf = ByteBuffer.allocate(INITIAL_BYTES);

    /**
     * The text of {@code file}, one char per byte (ISO-8859-1), at most {@link #MAX_BYTES};
     * or {@code null} when it cannot be read: the process has gone (ENOENT, or ESRCH on read).
     * The text is a view of this buffer, not a copy: valid until the next read.
     */
    CharSequence read(Path file) {
        buf.clear();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                if (!buf.hasRemaining()) {
                    if (buf.capacity() >= MAX_BYTES) {
                        break;
                    }
                    buf = ByteBuffer.allocate(Math.min(buf.capacity() * 2, MAX_BYTES)).put(buf.flip());
                }
                // The file is generated as it is read: a read returns part of it, -1 at EOF.
                if (ch.read(buf) <= 0) {
                    break;
                }
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return new Latin1(buf.array(), 0, buf.position());
    }

    /** The buffer's size now: what the files read so far needed. */
    int capacity() {
        return buf.capacity();
    }

    /** Bytes read as ISO-8859-1 text, without the copy a String makes. */
    private record Latin1(byte[] bytes, int from, int to) implements CharSequence {
        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[from + index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Latin1(bytes, from + start, from + end);
        }

        @Override
        public String toString() {
            return new String(bytes, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
