package uprocfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.daemon.DaemonSettings;

/** The daemon of a background start runs the settings the command line gave, whatever they were. */
class BackgroundDaemonTest {

    @Test
    void theArgumentsOfABackgroundStartGiveBackItsSettings() throws StartFailure {
        for (DaemonSettings given : List.of(
                DaemonSettings.of("/uproc", List.of(), false, false),
                DaemonSettings.of("mnt", List.of("config_file=rel.conf", "log_file=/tmp/u.log", "audit_interval=0",
                        "rcvbuf=1M", "allow_other", "nonempty"), false, true),
                DaemonSettings.of("/mnt/with space", List.of("config_file=/etc/a b.conf", "-weird"), true, false))) {
            List<String> args = given.foregroundArguments();
            assertEquals(args, BackgroundDaemon.settings(args).foregroundArguments());
        }
    }

    @Test
    void anythingElseIsRefusedWithWhereToStartTheDaemonFrom() {
        for (List<String> args : List.of(List.<String>of(), List.of("/uproc"), List.of("-f", "-o"),
                List.of("-f", "--", "/a", "/b"), List.of("-x", "--", "/uproc"), List.of("-f", "--"))) {
            StartFailure f = assertThrows(StartFailure.class, () -> BackgroundDaemon.settings(args));
            assertEquals(ExitCode.USAGE, f.exitCode());
            assertTrue(f.getMessage().endsWith(": start the daemon with uproc (see uproc --help)"), f.getMessage());
        }
    }

    @Test
    void anOptionTheCommandLineWouldRefuseIsRefusedHereToo() {
        StartFailure f = assertThrows(StartFailure.class,
                () -> BackgroundDaemon.settings(List.of("-f", "-o", "attr_timeout=60", "--", "/uproc")));
        assertEquals(ExitCode.USAGE, f.exitCode());
        assertTrue(f.getMessage().startsWith("-o attr_timeout=60 cannot be used"), f.getMessage());
    }
}
