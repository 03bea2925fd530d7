package uprocfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a script sees it: what goes to which stream, and the exit code. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpDocumentsEveryOptionTheConfigAndTheExitCodesOnStandardOutput() {
        assertEquals(0, run("--help"));
        String help = out();
        assertEquals("", err());
        assertTrue(help.startsWith("Usage: uproc [-f] [-d] [-s] [-o OPT[,OPT...]]... MOUNTPOINT\n"
                + "   or: uproc --check [-o config_file=FILE]\n"), help);
        for (String expected : new String[] {"-o  OPT[,OPT...]", "config_file=FILE", "log_file=FILE", "allow_other",
            "-f ", "-d ", "-s ", "--help", "--version", "/etc/uproc.conf", "/var/log/uproc.log", "uid 1000 alice",
            "SIGHUP", "fusermount -u MOUNTPOINT", "Exit codes:", "Transport endpoint", "audit_interval=SECONDS",
            "rcvbuf=BYTES", "net.core.rmem_max", "hidepid=invisible", ".status", "--check"}) {
            assertTrue(help.contains(expected), "help mentions " + expected);
        }
        for (int code = ExitCode.OK; code <= ExitCode.FAILURE; code++) {
            assertTrue(help.contains("\n  " + code + "   "), "help explains exit code " + code);
        }
        assertEquals(0, run("-h"));
    }

    @Test
    void versionNamesTheBuildAndTheJvm() {
        assertEquals(0, run("--version"));
        assertTrue(out().startsWith("uproc " + Version.project() + " (uprocfs for Java)\nJava "), out());
        assertTrue(Version.project().matches("\\d+\\.\\d+\\.\\d+.*"), Version.project());
    }

    @Test
    void unknownOptionIsAUsageErrorThatSaysWhereToLook() {
        assertEquals(ExitCode.USAGE, run("-x", "/uproc"));
        assertEquals("", out());
        assertEquals("uproc: Unknown option: '-x'\nTry 'uproc --help' for more information.\n", err());
    }

    @Test
    void missingMountpointIsAUsageError() {
        assertEquals(ExitCode.USAGE, run("-f"));
        assertTrue(err().startsWith("uproc: Missing required parameter: 'MOUNTPOINT'\n"), err());
    }

    @Test
    void checkTakesNoMountpoint() {
        assertEquals(ExitCode.USAGE, run("--check", "/uproc"));
        assertEquals("", out());
        assertTrue(err().startsWith("uproc: --check mounts nothing: it takes no MOUNTPOINT"), err());
    }

    @Test
    void checkPassesAUsableConfigurationAndSaysWhatItMakes(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("uproc.conf");
        Files.writeString(config, "uid 60500 a\ncmd sleep b\n");
        // A service's own options come along from ExecReload and are ignored.
        assertEquals(ExitCode.OK, run("--check", "-o", "allow_other,config_file=" + config));
        assertEquals("configuration ok: 2 namespaces from " + config + "\n", out());
        assertEquals("", err());
    }

    @Test
    void checkCountsTemplatedRulesApartFromTheFilesTheyWillMake(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("uproc.conf");
        Files.writeString(config, "uid * user.{user}\ncmd sshd sshd\nunder sshd uid * sessions.{user}\n");
        assertEquals(ExitCode.OK, run("--check", "-o", "config_file=" + config));
        assertEquals("configuration ok: 1 namespace and 2 templated rules (a file per value) from " + config + "\n",
                out());
    }

    @Test
    void checkRefusesABrokenConfigurationWithItsLineAndColumn(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("uproc.conf");
        Files.writeString(config, "uid 1 fine\nuser 1000 bad\n");
        assertEquals(ExitCode.CONFIG, run("--check", "-o", "config_file=" + config));
        assertEquals("", out());
        assertTrue(err().startsWith(config + ":2:1: "), err());
    }

    @Test
    void checkRefusesAMissingFileAndABadOption(@TempDir Path dir) {
        assertEquals(ExitCode.CONFIG, run("--check", "-o", "config_file=" + dir.resolve("none.conf")));
        assertTrue(err().contains(dir.resolve("none.conf").toString()), err());
        err.reset();
        assertEquals(ExitCode.USAGE, run("--check", "-o", "rcvbuf=16"));
        assertTrue(err().startsWith("uproc: error: -o rcvbuf=16: "), err());
    }

    @Test
    void anOptionThatWouldCacheIsAUsageErrorNamingTheOption() {
        assertEquals(ExitCode.USAGE, run("-o", "allow_other,attr_timeout=60", "/uproc"));
        assertTrue(err().startsWith("uproc: error: -o attr_timeout=60 cannot be used"), err());
    }

    @Test
    void standardInputAsConfigNeedsTheForeground() {
        assertEquals(ExitCode.USAGE, run("-o", "config_file=-", "/uproc"));
        assertTrue(err().startsWith("uproc: error: -o config_file=- needs -f"), err());
    }
}
