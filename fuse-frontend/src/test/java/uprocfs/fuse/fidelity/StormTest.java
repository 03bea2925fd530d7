package uprocfs.fuse.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.it.MountedDaemonTest;
import uprocfs.fuse.it.Scratch;

/**
 * Under load, every file still tells the truth: two fork/exec storms run while 2,000
 * long-lived processes under four uids, two gids and two names start and end in waves; once
 * the storms stop, every namespace (uid, gid, cmd and combined rules) equals /proc.
 */
@Tag("root")
class StormTest extends MountedDaemonTest {
    private static final int STORM_UID = 60340;
    private static final int[] HERD_UIDS = {60341, 60342, 60343, 60344};
    private static final int GID_A = 60345;
    private static final int GID_B = 60346;
    private static final int MARKER_UID = 60347;
    private static final int WAVES = 4;
    /** Processes each herd starts per wave: 4 herds x 4 waves x 125 = 2,000. */
    private static final int PER_WAVE = 125;
    /** Generous: the storms may still be draining from the daemon's queue when they stop. */
    private static final Duration SETTLES = Duration.ofSeconds(10);

    private final List<Herd> herds = new ArrayList<>();

    @Test
    void everyFileEqualsProcAfterForkStormsAndWavesOfProcesses() {
        String nap = Scratch.NAPPER;
        List<Rule> rules = new ArrayList<>(List.of(
                Rule.uid(STORM_UID, "storm"),
                Rule.uid(STORM_UID, "storm.true").andCmd("true"),
                Rule.gid(GID_A, "gA"),
                Rule.gid(GID_B, "gB"),
                Rule.cmd("sleep", "sleeps"),
                Rule.cmd(nap, "naps"),
                Rule.uid(HERD_UIDS[0], "u0.sleep").andCmd("sleep"),
                Rule.uid(HERD_UIDS[1], "u1.gB").andGid(GID_B),
                Rule.gid(GID_A, "gA.naps").andCmd(nap)));
        for (int uid : HERD_UIDS) {
            rules.add(Rule.uid(uid, "u" + uid));
        }
        Rule marker = Rule.uid(MARKER_UID, "marker");
        List<Rule> all = new ArrayList<>(rules);
        all.add(marker);
        scratch.config(Rule.config(all));
        mount();
        NamespaceFiles files = new NamespaceFiles(scratch.mnt);

        // Two herds of sleep and two of the napper, across both gids.
        String napper = scratch.napper();
        herds.add(closeAfter(Herd.of(HERD_UIDS[0], GID_A, "sleep")));
        herds.add(closeAfter(Herd.of(HERD_UIDS[1], GID_B, napper)));
        herds.add(closeAfter(Herd.of(HERD_UIDS[2], GID_A, napper)));
        herds.add(closeAfter(Herd.of(HERD_UIDS[3], GID_B, "sleep")));

        long t0 = System.nanoTime();
        Churn storm = closeAfter(Churn.untilStopped(scratch.dir.resolve("stop-storm"), STORM_UID, "/bin/true",
                "sh -c :"));
        List<List<List<Integer>>> waves = new ArrayList<>();
        for (int w = 0; w < WAVES; w++) {
            List<List<Integer>> wave = new ArrayList<>();
            for (Herd herd : herds) {
                wave.add(herd.spawn(PER_WAVE));
            }
            waves.add(wave);
            // Waves end too: half of the one before last, then all of it, then half again.
            if (w >= 1) {
                List<List<Integer>> earlier = waves.get(w - 1);
                for (int h = 0; h < herds.size(); h++) {
                    List<Integer> pids = earlier.get(h);
                    List<Integer> killed = w % 2 == 1 ? pids.subList(0, pids.size() / 2) : pids;
                    List<Integer> alive = new ArrayList<>(killed);
                    alive.retainAll(herds.get(h).pids());
                    herds.get(h).kill(alive);
                }
            }
        }
        long wavesDone = System.nanoTime();
        storm.stop();
        System.out.printf("storm: %d waves of %d processes in %d ms under two storms%n", WAVES,
                PER_WAVE * herds.size(), (wavesDone - t0) / 1_000_000);

        files.awaitTruth("every file equals /proc once the storms stop", SETTLES, rules);
        files.awaitCaughtUp(marker);
        assertNull(files.mismatch(rules), "and still does once the daemon has caught up");
        for (int h = 0; h < herds.size(); h++) {
            // The herd's processes and its shepherd.
            assertEquals(herds.get(h).pids().size() + 1, files.pids("u" + HERD_UIDS[h]).size(), "u" + HERD_UIDS[h]);
        }

        herds.forEach(Herd::close);
        files.awaitTruth("every file equals /proc once the herds are gone", SETTLES, rules);
        for (int uid : HERD_UIDS) {
            assertTrue(files.pids("u" + uid).isEmpty(), "u" + uid + " is empty");
        }
    }
}
