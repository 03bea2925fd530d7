package uprocfs.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.proc.ProcessUsage;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/** A namespace's usage over scrapes, read from a fake /proc: counters that never go down, gauges of now. */
class SetUsageTest {
    private static final long BOOT = 1_796_212_945L;
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final FakeProcTree proc = new FakeProcTree().bootTime(BOOT);
    private ProcessUsage.Reader reader;

    @BeforeEach
    void open() throws IOException {
        reader = ProcessUsage.reader(new ProcFs(proc.root()));
    }

    @AfterEach
    void close() {
        proc.close();
    }

    /** A process that has used {@code user} and {@code system} seconds, and read and written as given. */
    private void process(int pid, long startTicks, int user, int system, long read, long written) {
        proc.add(FakeProcess.pid(pid).startTicks(startTicks).cpuTicks(user * 100L, system * 100L).io(read, written)
                .threads(2).residentKb(1000).openFds(4));
    }

    private static SetUsage.Scrape update(SetUsage usage, ProcessUsage.Reader reader, int... pids) {
        return usage.update(pids, reader, NO_DEADLINE);
    }

    @Test
    void countersAndGaugesAreSummedOverTheMembers() {
        process(10, 500, 3, 1, 100, 200);
        process(11, 300, 5, 2, 1000, 2000);
        SetUsage.Scrape s = update(new SetUsage(), reader, 10, 11);
        assertEquals(new SetUsage.Scrape(2, 0, 0, 0, 8.0, 3.0, 1100, 2200, 4, 2 * 1000 * 1024, 8, BOOT + 3.0), s);
        assertTrue(s.anyRead());
    }

    @Test
    void aMemberThatExitsLeavesItsCpuInTheCountersAndLeavesTheGauges() {
        SetUsage usage = new SetUsage();
        process(10, 500, 3, 1, 100, 200);
        process(11, 300, 5, 2, 1000, 2000);
        update(usage, reader, 10, 11);

        proc.remove(11);
        process(10, 500, 4, 1, 100, 200);
        SetUsage.Scrape s = update(usage, reader, 10);
        assertEquals(9.0, s.cpuUserSeconds());
        assertEquals(3.0, s.cpuSystemSeconds());
        assertEquals(1100, s.readBytes());
        assertEquals(2200, s.writeBytes());
        assertEquals(2, s.threads());
        assertEquals(4, s.openFds());
        assertEquals(BOOT + 5.0, s.oldestStartTimeSeconds());
        assertEquals(1, usage.remembered());

        proc.remove(10);
        s = update(usage, reader);
        assertEquals(new SetUsage.Scrape(0, 0, 0, 0, 9.0, 3.0, 1100, 2200, 0, 0, 0, Double.NaN), s);
        assertFalse(s.anyRead());
        assertEquals(0, usage.remembered());
    }

    @Test
    void aPidReusedWithANewStartTimeIsANewProcess() {
        SetUsage usage = new SetUsage();
        process(10, 500, 30, 10, 100, 200);
        update(usage, reader, 10);

        // Pid 10 exited and another process got it before the list changed: less CPU than the
        // first had used, but no less in the total.
        process(10, 900, 1, 0, 5, 6);
        SetUsage.Scrape s = update(usage, reader, 10);
        assertEquals(31.0, s.cpuUserSeconds());
        assertEquals(10.0, s.cpuSystemSeconds());
        assertEquals(105, s.readBytes());
        assertEquals(206, s.writeBytes());
        assertEquals(BOOT + 9.0, s.oldestStartTimeSeconds());
    }

    @Test
    void aLowerReadingOfTheSameProcessDoesNotLowerTheCounters() {
        SetUsage usage = new SetUsage();
        process(10, 500, 30, 10, 100, 200);
        update(usage, reader, 10);
        process(10, 500, 29, 9, 99, 199);
        SetUsage.Scrape s = update(usage, reader, 10);
        assertEquals(30.0, s.cpuUserSeconds());
        assertEquals(10.0, s.cpuSystemSeconds());
        assertEquals(100, s.readBytes());
        assertEquals(200, s.writeBytes());
    }

    @Test
    void aDeadlineAlreadyPassedReadsNothingAndCountsEveryMemberNotRead() {
        SetUsage usage = new SetUsage();
        process(10, 500, 3, 1, 100, 200);
        process(11, 300, 5, 2, 1000, 2000);
        update(usage, reader, 10, 11);

        process(10, 500, 7, 1, 100, 200);
        SetUsage.Scrape s = usage.update(new int[] {10, 11}, reader, System.nanoTime() - 1);
        assertEquals(2, s.notRead());
        assertFalse(s.anyRead());
        // Not read is not gone: their last values stay in the counters, the gauges are empty.
        assertEquals(8.0, s.cpuUserSeconds());
        assertEquals(1100, s.readBytes());
        assertEquals(0, s.threads());
        assertEquals(0, s.residentBytes());
        assertTrue(Double.isNaN(s.oldestStartTimeSeconds()));
        assertEquals(2, usage.remembered());

        // Read again in time, the first shows what it used meanwhile.
        assertEquals(12.0, update(usage, reader, 10, 11).cpuUserSeconds());
    }

    @Test
    void membersAreReadUntilTheDeadlineAndTheRestAreCounted() {
        AtomicLong clock = new AtomicLong();
        // Each look at the clock is one tick later: with the deadline at tick 2, members
        // are read at ticks 0 and 1, and the third finds the deadline passed.
        SetUsage usage = new SetUsage(clock::getAndIncrement);
        for (int pid = 10; pid < 15; pid++) {
            process(pid, 500, 1, 0, 0, 0);
        }
        SetUsage.Scrape s = usage.update(new int[] {10, 11, 12, 13, 14}, reader, 2);
        assertEquals(5, s.members());
        assertEquals(3, s.notRead());
        assertEquals(2.0, s.cpuUserSeconds());
        assertEquals(4, s.threads());
    }

    @Test
    void aMemberGoneButStillListedIsNotReadAndKeepsItsValuesUntilItLeaves() {
        SetUsage usage = new SetUsage();
        process(10, 500, 3, 1, 100, 200);
        process(11, 300, 5, 2, 1000, 2000);
        update(usage, reader, 10, 11);

        proc.remove(11);
        SetUsage.Scrape s = update(usage, reader, 10, 11);
        assertEquals(1, s.notRead());
        assertEquals(8.0, s.cpuUserSeconds());
        assertEquals(2, s.threads());

        s = update(usage, reader, 10);
        assertEquals(0, s.notRead());
        assertEquals(8.0, s.cpuUserSeconds());
    }

    @Test
    void unreadableIoAndFdsAreCountedAndAddNothing() {
        proc.add(FakeProcess.pid(2).ppid(0).name("kthreadd").kernelThread().cpuTicks(50, 700).ioUnreadable());
        process(10, 500, 3, 1, 100, 200);
        SetUsage.Scrape s = update(new SetUsage(), reader, 2, 10);
        assertEquals(1, s.ioUnknown());
        assertEquals(1, s.fdsUnknown());
        assertEquals(0, s.notRead());
        assertEquals(3.5, s.cpuUserSeconds());
        assertEquals(8.0, s.cpuSystemSeconds());
        assertEquals(100, s.readBytes());
        assertEquals(4, s.openFds());
        assertEquals(1000 * 1024, s.residentBytes());
    }

    @Test
    void countersNeverDecreaseWhileMembersComeGoRiseAndReusePids() {
        Random random = new Random(12);
        SetUsage usage = new SetUsage();
        long[] start = new long[20];
        int[] cpu = new int[20];
        SetUsage.Scrape last = update(usage, reader);
        for (int round = 0; round < 200; round++) {
            int pid = random.nextInt(20);
            switch (random.nextInt(4)) {
                case 0 -> proc.remove(100 + pid);
                case 1 -> {
                    start[pid] = 1000 + round;
                    cpu[pid] = random.nextInt(5);
                }
                default -> cpu[pid] += random.nextInt(3);
            }
            if (start[pid] > 0) {
                process(100 + pid, start[pid], cpu[pid], cpu[pid], cpu[pid] * 10L, cpu[pid] * 20L);
            }
            int[] listed = random.ints(8, 100, 120).distinct().toArray();
            long deadline = random.nextInt(10) == 0 ? System.nanoTime() - 1 : NO_DEADLINE;
            SetUsage.Scrape s = usage.update(listed, reader, deadline);
            SetUsage.Scrape prev = last;
            assertTrue(s.cpuUserSeconds() >= prev.cpuUserSeconds(), () -> s + " after " + prev);
            assertTrue(s.cpuSystemSeconds() >= prev.cpuSystemSeconds(), () -> s + " after " + prev);
            assertTrue(s.readBytes() >= prev.readBytes(), () -> s + " after " + prev);
            assertTrue(s.writeBytes() >= prev.writeBytes(), () -> s + " after " + prev);
            assertTrue(usage.remembered() <= listed.length);
            last = s;
        }
        assertTrue(last.cpuUserSeconds() > 0);
    }
}
