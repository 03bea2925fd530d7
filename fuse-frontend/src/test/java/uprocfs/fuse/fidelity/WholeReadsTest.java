package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.testing.Deadline;

/**
 * A file read while its set changes is always one whole list, however small the reads: each
 * open is served from the snapshot it took, so the many READ requests of one open can never
 * mix two versions, cut a PID, or drop a member that never left. This is what a page-cached
 * file, invalidated at every change, does not give (docs/BENCHMARKS.md, "Footprint", third
 * round: tools/bench-cache), and why the files keep direct_io.
 */
@Tag("root")
class WholeReadsTest extends MountedDaemonTest {
    private static final int UID = 60160;
    /** Processes that stay for the whole test (every read must list each), and as many that leave. */
    private static final int STAYING = 120;
    /** Bytes per read(2): one open takes a dozen READ requests for this file. */
    private static final int PIECE = 61;
    /** Distinct versions of the file to have read before the test ends, and reads at least. */
    private static final int VERSIONS = 100;
    private static final int READS = 1_000;

    @Test
    void everyReadOfAChangingFileIsOneWholeList() throws Exception {
        scratch.config(Rule.config(List.of(Rule.uid(UID, "changing"))));
        mount();
        Path file = scratch.mnt.resolve("changing");
        // Staying and leaving processes started in turn, so that their PIDs interleave: a
        // process that leaves takes a line out of the middle of the list, and every line
        // after it moves, which is what a read mixing two versions would show.
        Herd stay = closeAfter(Herd.of(UID, UID, "sleep"));
        Herd go = closeAfter(Herd.of(UID, UID, "sleep"));
        List<Integer> staying = new ArrayList<>();
        List<Integer> leaving = new ArrayList<>();
        for (int i = 0; i < STAYING; i++) {
            staying.addAll(stay.spawn(1));
            leaving.addAll(go.spawn(1));
        }
        Deadline.await("the staying processes listed", () -> {
            Set<Integer> listed = new HashSet<>(pids(read(file)));
            return listed.containsAll(staying) ? null : "listed: " + listed.size() + " of " + STAYING;
        });
        Collections.shuffle(leaving, new Random(7));
        AtomicBoolean reading = new AtomicBoolean(true);
        // One of the interleaved leaving processes killed, and one started (at the end of the
        // list), every 20 ms, until the reads are done or they have all gone.
        Thread changer = new Thread(() -> {
            for (int i = 0; i < leaving.size() && reading.get(); i++) {
                go.kill(List.of(leaving.get(i)));
                go.spawn(1);
                LockSupport.parkNanos(20_000_000);
            }
        }, "changer");
        changer.start();
        Set<String> versions = new HashSet<>();
        long reads = 0;
        long started = System.nanoTime();
        long deadline = started + Deadline.LOAD.toNanos();
        try {
            // As fast as reads go, until the file has been read in many versions, many times.
            while (versions.size() < VERSIONS || reads < READS) {
                assertTrue(System.nanoTime() < deadline, "the set changed only " + versions.size() + " times in "
                        + reads + " reads, in " + Deadline.LOAD.toMinutes() + " min");
                String text = read(file);
                reads++;
                List<Integer> pids = pids(text);
                assertTrue(pids.containsAll(staying), () -> "a read lost processes that never left: [" + text + "]");
                versions.add(text);
                if (!changer.isAlive() && versions.size() < VERSIONS) {
                    throw new AssertionError("every leaving process has gone after " + versions.size() + " versions");
                }
            }
        } finally {
            reading.set(false);
            changer.join();
        }
        Deadline.printLoad(reads + " whole reads of " + versions.size() + " versions", started);
    }

    /** The file's bytes, read {@value #PIECE} at a time from one open. */
    private static String read(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] piece = new byte[PIECE];
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            for (int n = in.read(piece); n >= 0; n = in.read(piece)) {
                out.write(piece, 0, n);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** The PIDs of a whole list: newline-terminated lines of a positive number each, ascending. */
    private static List<Integer> pids(String text) {
        assertTrue(text.isEmpty() || text.endsWith("\n"), () -> "a read ends inside a line: [" + text + "]");
        List<Integer> out = new ArrayList<>();
        int previous = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() && text.isEmpty()) {
                break;
            }
            assertTrue(line.matches("[1-9][0-9]*"), () -> "a line that is no PID: [" + line + "] in [" + text + "]");
            int pid = Integer.parseInt(line);
            assertTrue(pid > previous, "not ascending at " + pid + ": [" + text + "]");
            previous = pid;
            out.add(pid);
        }
        return out;
    }
}
