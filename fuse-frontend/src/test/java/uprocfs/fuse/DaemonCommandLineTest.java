package uprocfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import uprocfs.fuse.daemon.DaemonSettings;

/** The daemon's command lines read without picocli are read exactly as picocli reads them. */
class DaemonCommandLineTest {

    private static DaemonCommandLine picocli(String... args) {
        UprocCommand command = new UprocCommand();
        new CommandLine(command).parseArgs(args);
        return command.commandLine();
    }

    @Test
    void whatItReadsPicocliReadsTheSameWay() {
        for (List<String> args : List.of(
                List.of("/uproc"),
                List.of("-o", "allow_other", "/uproc"),
                List.of("-f", "-o", "config_file=/etc/a b.conf,log_file=/tmp/u.log", "-o", "nonempty", "mnt"),
                List.of("-d", "-s", "/uproc"),
                List.of("-o", "metrics=9256", "--", "/uproc"),
                List.of("-f", "-o", "config_file=x", "--", "-odd mountpoint"),
                List.of("/uproc", "-f", "-o", "audit_interval=0"))) {
            String[] given = args.toArray(String[]::new);
            DaemonCommandLine fast = DaemonCommandLine.parse(given);
            assertNotNull(fast, args.toString());
            assertEquals(picocli(given), fast, args.toString());
        }
    }

    @Test
    void theDaemonOfABackgroundStartRunsTheSettingsTheCommandLineGave() throws StartFailure {
        for (DaemonSettings given : List.of(
                DaemonSettings.of("/uproc", List.of(), false, false),
                DaemonSettings.of("mnt", List.of("config_file=rel.conf", "log_file=/tmp/u.log", "audit_interval=0",
                        "rcvbuf=1M", "allow_other", "nonempty"), false, true),
                DaemonSettings.of("/mnt/with space", List.of("config_file=/etc/a b.conf", "-weird"), true, false))) {
            String[] args = given.foregroundArguments().toArray(String[]::new);
            DaemonCommandLine fast = DaemonCommandLine.parse(args);
            // An option that looks like a flag is picocli's to read, as it was on the command line.
            DaemonCommandLine line = fast != null ? fast : picocli(args);
            assertTrue(line.foreground(), List.of(args).toString());
            DaemonSettings read = DaemonSettings.of(line.mountPoint(), line.options(), line.debug(),
                    line.singleThreaded());
            assertEquals(given.foregroundArguments(), read.foregroundArguments());
        }
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        for (List<String> args : List.of(
                List.<String>of(),
                List.of("--help"), List.of("-h"), List.of("--version"), List.of("-V"),
                List.of("--check"), List.of("--check", "-o", "config_file=x"),
                List.of("-fs", "/uproc"), List.of("-oallow_other", "/uproc"), List.of("-o=allow_other", "/uproc"),
                List.of("-o"), List.of("-o", "/uproc"), List.of("/uproc", "-o"),
                List.of("-o", "-f", "/uproc"), List.of("-o", "a,,b", "/uproc"), List.of("-o", "a,", "/uproc"),
                List.of("-o", "config_file=\"a,b\"", "/uproc"), List.of("-o", "", "/uproc"),
                List.of("/a", "/b"), List.of("/a", "--", "/b"), List.of("--", "/a", "/b"), List.of("--"),
                List.of(""), List.of("-x", "/uproc"), List.of("--unknown", "/uproc"))) {
            assertNull(DaemonCommandLine.parse(args.toArray(String[]::new)), args.toString());
        }
    }
}
