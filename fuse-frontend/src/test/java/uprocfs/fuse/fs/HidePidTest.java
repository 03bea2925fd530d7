package uprocfs.fuse.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** /proc's options as mountinfo lists them, on kernels before 5.8 (numbers) and after (words). */
class HidePidTest {

    @Test
    void aProcWithoutHidepidHidesNothing() {
        HidePid none = HidePid.parse("rw");
        assertEquals(HidePid.NONE, none);
        assertFalse(none.hidesOtherUsersProcesses());
        assertFalse(none.hasGid());
    }

    @Test
    void levelsAreReadAsNumbersAndAsWords() {
        String[][] cases = {{"0", "off"}, {"1", "noaccess"}, {"2", "invisible"}, {"4", "ptraceable"}};
        int[] levels = {HidePid.OFF, HidePid.NOACCESS, HidePid.INVISIBLE, HidePid.PTRACEABLE};
        for (int i = 0; i < cases.length; i++) {
            for (String value : cases[i]) {
                assertEquals(levels[i], HidePid.parse("rw,nosuid,hidepid=" + value).level(), value);
            }
        }
    }

    @Test
    void onlyInvisibleAndPtraceableHideProcesses() {
        assertFalse(HidePid.parse("rw,hidepid=off").hidesOtherUsersProcesses());
        assertFalse(HidePid.parse("rw,hidepid=noaccess").hidesOtherUsersProcesses(), "1 closes contents, lists PIDs");
        assertTrue(HidePid.parse("rw,hidepid=invisible").hidesOtherUsersProcesses());
        assertTrue(HidePid.parse("rw,hidepid=ptraceable").hidesOtherUsersProcesses());
    }

    @Test
    void theExemptGroupIsReadFromGid() {
        assertEquals(new HidePid(HidePid.INVISIBLE, 27), HidePid.parse("rw,hidepid=invisible,gid=27"));
        assertEquals(new HidePid(HidePid.INVISIBLE, 4294967294L), HidePid.parse("gid=4294967294,hidepid=2"));
        assertEquals(new HidePid(HidePid.PTRACEABLE, HidePid.NO_GID),
                HidePid.parse("rw,relatime,hidepid=ptraceable,subset=pid"));
    }

    @Test
    void whatCannotBeUnderstoodHidesRatherThanShows() {
        assertEquals(HidePid.INVISIBLE, HidePid.parse("rw,hidepid=somefuturemode").level());
        assertFalse(HidePid.parse("rw,hidepid=2,gid=wheel").hasGid(), "no group is exempt");
        assertFalse(HidePid.parse("rw,hidepid=2,gid=-1").hasGid());
        assertFalse(HidePid.parse("rw,hidepid=2,gid=4294967296").hasGid());
    }
}
