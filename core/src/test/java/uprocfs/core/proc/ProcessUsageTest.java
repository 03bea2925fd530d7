package uprocfs.core.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/** One process's usage, read from its stat, status, io and fd through a fake /proc, and from the real /proc/self. */
class ProcessUsageTest {
    private static final long BOOT = 1_796_212_945L;

    /** Captured on Linux 6.18 from {@code cat /proc/self/stat}. */
    private static final String CAT_STAT = "2287 (cat) R 2284 2284 25310 0 -1 4194304 99 0 0 0 7 3 0 0 20 0 1 0 629262 "
            + "3133440 388 18446744073709551615 94173880213504 94173880233385 140729518151712 0 0 0 0 0 0 0 0 0 17 1 0 0 0 "
            + "0 0 94173880249392 94173880251008 94174017163264 140729518156318 140729518156338 140729518156338 "
            + "140729518157803 0\n";

    private final FakeProcTree proc = new FakeProcTree().bootTime(BOOT);

    @AfterEach
    void close() {
        proc.close();
    }

    private ProcessUsage.Reader reader() throws IOException {
        return ProcessUsage.reader(new ProcFs(proc.root()));
    }

    private long[] stat(String line) {
        long[] out = new long[5];
        assertTrue(ProcessUsage.parseStat(line, out), line);
        return out;
    }

    @Test
    void aCapturedStatLineGivesUtimeStimeThreadsAndStarttime() {
        assertArrayEquals(new long[] {7, 3, 1, 629262, 388}, stat(CAT_STAT));
    }

    @Test
    void fieldsAreCountedFromTheLastParenthesisSinceTheCommIsWrittenRaw() {
        // A process may name itself anything (prctl PR_SET_NAME): spaces, ") R 1 2 ", a newline.
        String evil = CAT_STAT.replace("(cat)", "(a) S 9 9 9 (b c)");
        assertArrayEquals(new long[] {7, 3, 1, 629262, 388}, stat(evil));
        assertArrayEquals(new long[] {7, 3, 1, 629262, 388}, stat(CAT_STAT.replace("(cat)", "(x\ny) 1 2)")));
        assertArrayEquals(new long[] {7, 3, 1, 629262, 388}, stat(CAT_STAT.replace("(cat)", "( ))")));
    }

    @Test
    void aTruncatedOrGarbledStatLineIsRefused() {
        long[] out = new long[5];
        assertFalse(ProcessUsage.parseStat("2287 (cat) R 2284 2284 25310 0 -1 4194304 99 0 0 0 7 3 0 0 20 0 1 0\n", out));
        assertFalse(ProcessUsage.parseStat(CAT_STAT.replace(" 7 3 ", " 7 x ").replace("(cat)", "(c)"), out));
        assertFalse(ProcessUsage.parseStat("2287 cat R 1 1", out));
        assertFalse(ProcessUsage.parseStat(CAT_STAT.replace("629262", "99999999999999999999"), out));
    }

    @Test
    void keyedValuesAreFoundOnlyAtALineStart() {
        String io = FakeProcess.pid(1).io(4096, 8192).ioText();
        assertEquals(4096, ProcessUsage.keyedValue(io, "read_bytes:"));
        assertEquals(8192, ProcessUsage.keyedValue(io, "write_bytes:"));
        // cancelled_write_bytes: is another line, not write_bytes:.
        assertEquals(-1, ProcessUsage.keyedValue("cancelled_write_bytes: 5\n", "write_bytes:"));
        assertEquals(1736, ProcessUsage.keyedValue(FakeProcess.pid(1).statusText(), "VmRSS:"));
    }

    @Test
    void aProcessIsReadFromItsFourFiles() throws IOException {
        proc.add(FakeProcess.pid(300).name("my prog (x)").threads(4).cpuTicks(1234, 567).startTicks(629262)
                .residentKb(2048).io(1 << 20, 3 << 20).openFds(7));
        ProcessUsage u = reader().read(300);
        assertEquals(new ProcessUsage(300, 1234, 567, 4, 629262, BOOT, 2048 * 1024, 1 << 20, 3 << 20, 7), u);
        assertEquals(12.34, u.cpuUserSeconds(), 1e-9);
        assertEquals(5.67, u.cpuSystemSeconds(), 1e-9);
        assertEquals(BOOT + 6292.62, u.startTimeSeconds(), 1e-6);
        assertTrue(u.ioKnown());
        assertTrue(u.fdsKnown());
    }

    @Test
    void aKernelThreadHasNoResidentMemoryAndItsIoAndFdsAreUnknownWhenUnreadable() throws IOException {
        proc.add(FakeProcess.pid(2).ppid(0).name("kthreadd").kernelThread().ioUnreadable());
        ProcessUsage u = reader().read(2);
        assertNotNull(u);
        assertEquals(0, u.residentBytes());
        assertFalse(u.ioKnown());
        assertEquals(-1, u.readBytes());
        assertEquals(-1, u.writeBytes());
        assertFalse(u.fdsKnown());
        assertEquals(1, u.threads());
    }

    @Test
    void aProcessThatIsGoneReadsAsNull() throws IOException {
        ProcessUsage.Reader reader = reader();
        assertNull(reader.read(400));
        assertNull(reader.read(0));
        assertNull(reader.read(-1));
    }

    @Test
    void aProcessGoneBetweenItsFilesReadsAsNullNotAsUnknownParts() throws IOException {
        ProcessUsage.Reader reader = reader();
        // stat is the only file read whose absence means gone; the status file is not read
        // (stat's rss holds the same number as VmRSS).
        proc.add(FakeProcess.pid(500).openFds(3));
        proc.removeFile(500, "status");
        assertEquals(1736 * 1024, reader.read(500).residentBytes());
        proc.removeFile(500, "stat");
        assertNull(reader.read(500));

        // io and fd missing while the directory stays: not ours to read, so unknown.
        proc.add(FakeProcess.pid(501).ioUnreadable());
        assertFalse(reader.read(501).ioKnown());
    }

    @Test
    void aTreeWithoutBootTimeIsRefusedWithTheFileNamed() throws IOException {
        try (FakeProcTree bare = new FakeProcTree()) {
            IOException e = assertThrows(IOException.class, () -> ProcessUsage.reader(new ProcFs(bare.root())));
            assertTrue(e.getMessage().contains(bare.root().resolve("stat").toString()), e.getMessage());
            Files.writeString(bare.root().resolve("stat"), "cpu 1 2 3\n", StandardCharsets.ISO_8859_1);
            e = assertThrows(IOException.class, () -> ProcessUsage.reader(new ProcFs(bare.root())));
            assertTrue(e.getMessage().contains("no btime"), e.getMessage());
        }
    }

    @Test
    void theRealSelfHasThreadsMemoryAndStartedWithinTheLastDay() throws IOException {
        ProcessUsage.Reader reader = ProcessUsage.reader(ProcFs.system());
        int self = (int) ProcessHandle.current().pid();
        ProcessUsage u = reader.read(self);
        assertNotNull(u);
        assertEquals(self, u.pid());
        assertTrue(u.threads() >= 1, u::toString);
        assertTrue(u.residentBytes() > 0, u::toString);
        double now = System.currentTimeMillis() / 1000.0;
        assertTrue(u.startTimeSeconds() <= now + 1 && u.startTimeSeconds() > now - 86_400, u::toString);
        assertTrue(u.cpuUserSeconds() + u.cpuSystemSeconds() >= 0, u::toString);
        // This JVM has at least stdio and its jar files open, and may read its own fd and io.
        assertTrue(u.fdsKnown() && u.openFds() >= 3, u::toString);
        // Counted from the directory's size (Linux 6.2 on) or by listing it, the same count;
        // a listing sees its own descriptor, and the JVM may open one meanwhile.
        long listed;
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            listed = entries.count();
        }
        assertTrue(Math.abs(listed - u.openFds()) <= 2, () -> listed + " listed, " + u);
        assertTrue(u.ioKnown(), u::toString);
        // The JDK's own view of its start, to the second.
        long jdkStart = ProcessHandle.current().info().startInstant().orElseThrow().getEpochSecond();
        assertEquals(jdkStart, u.startTimeSeconds(), 2.0);
    }
}
