package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.fuse.it.Sleepers;
import uprocfs.testing.Deadline;

/**
 * SIGHUP swaps the configuration as a whole, from the task table, without a rescan: new
 * files are complete the first time they can be seen, and a configuration with errors
 * leaves every namespace of the running one working. (LifecycleTest covers one uid rule
 * of each case; these cover every kind of rule, joins and leaves.)
 */
@Tag("root")
class ReloadTest extends MountedDaemonTest {
    private static final int UID_A = 60350;
    private static final int UID_B = 60351;
    private static final int GID_A = 60352;
    private static final int GID_B = 60353;
    /** The name of this class's copy of sleep: no process elsewhere has it, so first reads are exact. */
    private static final String NAPPER = "uprocreload";

    /** Every kind of rule, over processes named after this class's napper. */
    private static List<Rule> everyKind(String suffix) {
        String nap = NAPPER;
        return List.of(
                Rule.uid(UID_A, "uA" + suffix),
                Rule.gid(GID_A, "gA" + suffix),
                Rule.cmd(nap, "naps" + suffix),
                Rule.uid(UID_A, "uA.naps" + suffix).andCmd(nap),
                Rule.uid(UID_B, "uB.gA" + suffix).andGid(GID_A),
                Rule.uid(UID_B, "uB.gB.naps" + suffix).andGid(GID_B).andCmd(nap));
    }

    /** Starts a few processes in each combination of the ids above, and sleep or the napper. */
    private Sleepers startMixedProcesses() {
        Sleepers mixed = closeAfter(new Sleepers());
        String napper = scratch.napper(NAPPER);
        mixed.start(2, UID_A, GID_A, napper);
        mixed.start(2, UID_A, GID_B, "sleep");
        mixed.start(2, UID_B, GID_A, napper);
        mixed.start(2, UID_B, GID_B, napper);
        return mixed;
    }

    private void reload(List<Rule> rules, String extraText) {
        scratch.config(Rule.config(rules) + extraText);
        uproc.signal("HUP");
    }

    @Test
    void aBrokenConfigOnSighupLeavesEveryNamespaceFollowingItsProcesses() {
        List<Rule> running = everyKind("");
        scratch.config(Rule.config(running));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);
        Sleepers first = startMixedProcesses();
        files.awaitTruth("the files list the first processes", Deadline.DEFAULT, running);

        reload(running, "uid 60350 gid nope broken\n");
        int line = running.size() + 1;
        Deadline.await("the log reports the error with its position", () ->
                scratch.logText().contains(scratch.config + ":" + line + ":") ? null : scratch.logText());
        assertTrue(scratch.logText().contains("cannot reload, keeping the running configuration"), scratch.logText());

        startMixedProcesses();
        first.killAll();
        files.awaitTruth("every namespace follows joins and leaves after the failed reload", Deadline.DEFAULT,
                running);
        assertFalse(files.exists("broken"));
        assertTrue(uproc.isAlive());

        // And the daemon still reloads: the same rules under new names replace the old ones.
        List<Rule> renamed = everyKind(".v2");
        reload(renamed, "");
        Deadline.await("the renamed configuration is in force", () ->
                files.exists("uA.v2") && !files.exists("uA") ? null : "not yet: " + scratch.logText());
        assertNull(files.mismatch(renamed));
    }

    @Test
    void rulesAddedBySighupShowTheirFilesAlreadyFilled() throws IOException {
        Rule kept = Rule.uid(UID_A, "kept");
        Rule dropped = Rule.uid(UID_B, "dropped");
        scratch.config(Rule.config(List.of(kept, dropped)));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);
        startMixedProcesses();
        files.awaitTruth("the first files", Deadline.DEFAULT, List.of(kept, dropped));
        FileTime keptModified = Files.getLastModifiedTime(files.file(kept.name()));

        List<Rule> added = everyKind(".new");
        List<Rule> next = new ArrayList<>(added);
        next.add(0, kept);
        reload(next, "");
        Deadline.await("every added file exists", () -> {
            for (Rule r : added) {
                if (!files.exists(r.name())) {
                    return r.name() + " does not exist yet";
                }
            }
            return null;
        });

        // The processes stand still, so the first look at the new files must be the whole truth.
        assertNull(files.mismatch(next), "the new files are complete the first time they are seen");
        for (Rule r : added) {
            assertFalse(files.pids(r.name()).isEmpty(), r.line() + " matches some of the processes");
        }
        assertFalse(files.exists(dropped.name()), "a rule removed by the reload takes its file with it");
        // The kernel still knows the name (entry_timeout): the open reaches the daemon all the same.
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(files.file(dropped.name())));
        assertEquals(keptModified, Files.getLastModifiedTime(files.file(kept.name())),
                "an unchanged rule keeps its file's modification time");
    }
}
