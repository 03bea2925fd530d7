package uprocfs.core.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import uprocfs.core.task.TaskInfo;

class ProcStatusTest {
    /** Captured from a Debian 12 kernel 6.1 (trimmed after Gid, which is all we read). */
    private static final String BASH = """
            Name:\tbash
            Umask:\t0022
            State:\tS (sleeping)
            Tgid:\t4741
            Ngid:\t0
            Pid:\t4741
            PPid:\t4700
            TracerPid:\t0
            Uid:\t1000\t1001\t1002\t1003
            Gid:\t2000\t2001\t2002\t2003
            FDSize:\t256
            Groups:\t27 100
            """;

    @Test
    void readsEffectiveIdsFromTheSecondColumn() {
        TaskInfo t = ProcStatus.parse(4741, BASH);
        assertEquals(new TaskInfo(4741, 4700, 1001, 2001, "bash"), t);
    }

    @Test
    void aThreadsStatusIsNotAProcess() {
        assertNull(ProcStatus.parse(4742, BASH.replace("Pid:\t4741", "Pid:\t4742")));
    }

    @Test
    void exitedButUnreapedProcessesAreNotListed() {
        assertNull(ProcStatus.parse(4741, BASH.replace("S (sleeping)", "Z (zombie)") + "Threads:\t1\n"));
        assertNull(ProcStatus.parse(4741, BASH.replace("S (sleeping)", "X (dead)")));
    }

    @Test
    void aZombieLeaderWithLiveThreadsIsAProcess() {
        TaskInfo t = ProcStatus.parse(4741, BASH.replace("S (sleeping)", "Z (zombie)") + "Threads:\t3\n");
        assertEquals(4741, t.pid());
    }

    @Test
    void missingFieldsGiveNull() {
        assertNull(ProcStatus.parse(4741, "Name:\tbash\nTgid:\t4741\n"));
        assertNull(ProcStatus.parse(4741, ""));
        assertNull(ProcStatus.parse(4741, "garbage\u0000\n:::\n"));
    }

    @Test
    void idsAbove2ToThe31Survive() {
        TaskInfo t = ProcStatus.parse(4741, BASH.replace("1001", "4294967294"));
        assertEquals(4294967294L, Integer.toUnsignedLong(t.euid()));
    }

    @Test
    void idsOutOfRangeAreRejected() {
        assertNull(ProcStatus.parse(4741, BASH.replace("1001", "99999999999")));
    }

    @Test
    void escapedNamesAreUnescapedToTheRawComm() {
        String name = ProcStatus.parse(4741, BASH.replace("Name:\tbash", "Name:\ta\\nb\\\\c d")).comm();
        assertEquals("a\nb\\c d", name);
        assertEquals("x\u00e9y", ProcStatus.parse(4741, BASH.replace("Name:\tbash", "Name:\tx\\351y")).comm());
        assertEquals("trail\\", ProcStatus.parse(4741, BASH.replace("Name:\tbash", "Name:\ttrail\\")).comm());
    }

    @Test
    void workqueueWorkersAreKnownByTheirCommNotByTheWorkShownAfterIt() {
        assertEquals("kworker/u8:0", ProcStatus.comm("kworker/u8:0-events_unbound"));
        assertEquals("kworker/0:1H", ProcStatus.comm("kworker/0:1H+kblockd"));
        assertEquals("kworker/1:2", ProcStatus.comm("kworker/1:2"));
        assertEquals("kworker/R-rcu_g", ProcStatus.comm("kworker/R-rcu_gp"));
        assertEquals("my-worker-proce", ProcStatus.comm("my-worker-process-name"));
        assertEquals("kworker/u8:0", ProcStatus.parse(4741, BASH.replace("Name:\tbash", "Name:\tkworker/u8:0-events_unbound")).comm());
    }

    @Test
    void groupsAreTheWholeNumbersOfTheGroupsLine() {
        assertArrayEquals(new long[] {27, 100}, ProcStatus.groups(BASH));
        assertArrayEquals(new long[] {4, 24, 27, 1000}, ProcStatus.groups("Uid:\t1\t1\t1\t1\nGroups:\t4 24 27 1000 \n"));
        assertArrayEquals(new long[] {4294967294L}, ProcStatus.groups("Groups:\t4294967294 4294967296 x7 \n"));
        assertArrayEquals(new long[0], ProcStatus.groups("Name:\tx\nGroups:\t\nUid:\t27\n"), "no groups");
        assertArrayEquals(new long[0], ProcStatus.groups(""));
    }

    @Test
    void theEffectiveUidIsTheSecondColumnOfUid() {
        assertEquals(1001, ProcStatus.effectiveUid(BASH));
        assertEquals(4294967294L, ProcStatus.effectiveUid(BASH.replace("1001", "4294967294")));
        assertEquals(-1, ProcStatus.effectiveUid("Name:\tbash\nUid:\t1000\n"));
        assertEquals(-1, ProcStatus.effectiveUid(""));
    }

    @Test
    void realProcSelfParses() {
        TaskInfo self = ProcFs.system().readTask((int) ProcessHandle.current().pid());
        assertEquals(ProcessHandle.current().pid(), self.pid());
    }

    @Test
    void pidNamesAreDecimalOnly() {
        assertEquals(42, ProcFs.parsePid("42"));
        assertEquals(-1, ProcFs.parsePid("self"));
        assertEquals(-1, ProcFs.parsePid("0"));
        assertEquals(-1, ProcFs.parsePid("99999999999"));
        assertEquals(-1, ProcFs.parsePid(""));
    }
}
