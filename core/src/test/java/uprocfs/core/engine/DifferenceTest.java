package uprocfs.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import uprocfs.core.task.TaskInfo;

/** The one reconciliation: how a reading of /proc differs from the task table. */
class DifferenceTest {
    private final TaskTable table = new TaskTable();

    private void known(int pid, int euid, String comm, boolean threaded, boolean leaderExited) {
        int s = table.slotFor(pid);
        table.set(s, 1, euid, 0, comm, new int[0]);
        table.setThreads(s, threaded, leaderExited);
    }

    private static TaskInfo proc(int pid, int euid, String comm) {
        return new TaskInfo(pid, 1, euid, 0, comm);
    }

    private static int[] sorted(int[] pids) {
        int[] copy = pids.clone();
        Arrays.sort(copy);
        return copy;
    }

    @Test
    void aScanOfAllOfProcNamesWhatIsNewGoneAndChanged() {
        known(10, 1000, "a", false, false);
        known(11, 1000, "b", false, false);
        known(12, 1000, "c", false, false);
        Difference d = Difference.between(List.of(proc(10, 1000, "a"), proc(11, 0, "b"), proc(13, 1000, "d")),
                table, null);
        assertEquals(List.of(proc(13, 1000, "d")), d.added());
        assertArrayEquals(new int[] {12}, d.removed());
        assertEquals(List.of(proc(11, 0, "b")), d.changed());
        assertArrayEquals(new int[] {11, 12, 13}, sorted(d.pids()));
        assertEquals(3, d.size());
    }

    @Test
    void aTableThatAgreesHasNoDifference() {
        known(10, 1000, "a", false, false);
        assertEquals(0, Difference.between(List.of(proc(10, 1000, "a")), table, null).size());
        assertEquals(0, Difference.between(List.of(), new TaskTable(), null).size());
    }

    @Test
    void withinSomePidsOnlyThoseAreComparedAndOneMissingFromTheReadingHasEnded() {
        known(10, 1000, "a", false, false);
        known(11, 1000, "b", false, false);
        known(12, 1000, "c", false, false);
        // Only 11 and 12 were re-read; 12 has ended, 10 is not in question.
        Difference d = Difference.between(List.of(proc(11, 1000, "b")), table, new int[] {11, 12});
        assertArrayEquals(new int[] {12}, d.removed());
        assertEquals(1, d.size());
        // A pid re-read as gone that the table never had is no difference.
        assertEquals(0, Difference.between(List.of(), table, new int[] {99}).size());
    }

    @Test
    void threadsCountWhereTheTableWouldActWronglyOnThem() {
        known(10, 1000, "a", false, false);
        known(11, 1000, "a", true, false);
        known(12, 1000, "a", true, true);
        List<TaskInfo> scan = List.of(
                new TaskInfo(10, 1, 1000, 0, "a", 3, false),   // threads the table missed
                new TaskInfo(11, 1, 1000, 0, "a", 1, false),   // threads that have ended: the table may remember
                new TaskInfo(12, 1, 1000, 0, "a", 2, false));  // the table thinks the leader exited
        Difference d = Difference.between(scan, table, null);
        assertArrayEquals(new int[] {10, 12}, sorted(d.pids()));
    }
}
