package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.StartFailure;

class DaemonSettingsTest {

    @Test
    void defaultsAreTheSystemConfigAndLog() throws StartFailure {
        DaemonSettings s = DaemonSettings.of("/uproc", List.of(), false, false);
        assertNull(s.configFile());
        assertEquals(Path.of("/var/log/uproc.log"), s.logFile());
        assertEquals(Duration.ofSeconds(60), s.auditInterval());
        assertEquals(16 << 20, s.receiveBufferBytes());
        assertEquals(List.of(), s.fuseOptions());
    }

    @Test
    void uprocsOwnOptionsAreTakenOutAndTheRestGoToFuse() throws StartFailure {
        DaemonSettings s = DaemonSettings.of("/uproc",
                List.of("allow_other", "config_file=/etc/u.conf", "", "log_file=/tmp/u.log", "nonempty",
                        "audit_interval=300", "rcvbuf=4M"), false, false);
        assertEquals(Path.of("/etc/u.conf"), s.configFile());
        assertEquals(4 << 20, s.receiveBufferBytes());
        assertEquals(Duration.ofSeconds(300), s.auditInterval());
        assertEquals(Path.of("/tmp/u.log"), s.logFile());
        assertEquals(List.of("allow_other", "nonempty"), s.fuseOptions());
        assertTrue(s.nonEmptyAllowed());
    }

    @Test
    void relativeFilesAreMadeAbsoluteButStandardInputStaysDash() throws StartFailure {
        DaemonSettings s = DaemonSettings.of("mnt", List.of("config_file=rel.conf"), false, false);
        assertEquals(Path.of("rel.conf").toAbsolutePath(), s.configFile());
        assertEquals(Path.of("mnt").toAbsolutePath(), s.mountPoint().path());
        DaemonSettings stdin = DaemonSettings.of("/uproc", List.of("config_file=-"), false, false);
        assertTrue(stdin.configFromStandardInput());
        assertFalse(s.configFromStandardInput());
    }

    @Test
    void optionsThatWouldLetTheKernelCacheAreRefusedWithTheReason() {
        for (String option : List.of("attr_timeout=60", "entry_timeout=1", "negative_timeout=1", "kernel_cache",
                "fsname=x", "subtype=y", "direct_io")) {
            StartFailure f = assertThrows(StartFailure.class, () -> DaemonSettings.of("/uproc", List.of(option),
                    false, false));
            assertEquals(ExitCode.USAGE, f.exitCode());
            assertTrue(f.getMessage().startsWith("-o " + option + " cannot be used: uproc mounts with "), f.getMessage());
        }
    }

    @Test
    void aFileOptionWithoutAFileIsAUsageError() {
        for (String option : List.of("config_file", "config_file=", "log_file=", "log_file=-")) {
            StartFailure f = assertThrows(StartFailure.class, () -> DaemonSettings.of("/uproc", List.of(option),
                    false, false));
            assertEquals(ExitCode.USAGE, f.exitCode());
            assertTrue(f.getMessage().endsWith("needs a file name: -o " + option.split("=")[0] + "=FILE"),
                    f.getMessage());
        }
    }

    @Test
    void libfuseGetsTheFixedOptionsThenTheUsersAndSingleThreading() throws StartFailure {
        DaemonSettings s = DaemonSettings.of("/uproc", List.of("allow_other"), false, true);
        assertEquals(List.of("-o", "fsname=uprocfs,subtype=uproc,direct_io,entry_timeout=0,attr_timeout=0,"
                + "negative_timeout=0,allow_other", "-s"), s.libfuseArguments());
    }

    @Test
    void namesAreKeptByTheKernelOnlyWhereRootAloneCanLookThemUp() throws StartFailure {
        DaemonSettings s = DaemonSettings.of("/uproc", List.of("nonempty"), false, false);
        assertEquals(List.of("-o", "fsname=uprocfs,subtype=uproc,direct_io,entry_timeout=3600,attr_timeout=0,"
                + "negative_timeout=0,nonempty"), s.libfuseArguments());
    }

    @Test
    void foregroundArgumentsRunTheSameSettingsFromAnyDirectory() throws StartFailure {
        DaemonSettings s = DaemonSettings.of("mnt", List.of("config_file=u.conf", "allow_other", "audit_interval=0",
                "rcvbuf=256K"), true, true);
        String cwd = Path.of("").toAbsolutePath().toString();
        assertEquals(List.of("-f", "-o", "config_file=" + cwd + "/u.conf", "-o", "log_file=/var/log/uproc.log",
                "-o", "audit_interval=0", "-o", "rcvbuf=262144", "-o", "max_templated=100000", "-o", "allow_other", "-d", "-s", "--", cwd + "/mnt"),
                s.foregroundArguments());
    }

    @Test
    void anAuditIntervalIsAWholeNumberOfSecondsAndZeroTurnsItOff() throws StartFailure {
        assertEquals(Duration.ZERO, DaemonSettings.of("/uproc", List.of("audit_interval=0"), false, false)
                .auditInterval());
        assertEquals(Duration.ofSeconds(Integer.MAX_VALUE), DaemonSettings.of("/uproc",
                List.of("audit_interval=" + Integer.MAX_VALUE), false, false).auditInterval());
        for (String option : List.of("audit_interval", "audit_interval=", "audit_interval=-1", "audit_interval=1.5",
                "audit_interval=60s", "audit_interval= 60", "audit_interval=2147483648",
                "audit_interval=99999999999999999999")) {
            StartFailure f = assertThrows(StartFailure.class, () -> DaemonSettings.of("/uproc", List.of(option),
                    false, false));
            assertEquals(ExitCode.USAGE, f.exitCode());
            assertEquals("-o " + option + ": expected a whole number of seconds (0 turns the audit off), "
                    + "e.g. -o audit_interval=300", f.getMessage());
        }
    }

    @Test
    void aReceiveBufferIsBytesOrKMOrGFrom64KTo1G() throws StartFailure {
        for (String[] given : new String[][] {{"65536", "65536"}, {"64K", "65536"}, {"64k", "65536"},
                {"16M", "16777216"}, {"1G", "1073741824"}, {"1073741824", "1073741824"}, {"1024M", "1073741824"}}) {
            assertEquals(Integer.parseInt(given[1]), DaemonSettings.of("/uproc", List.of("rcvbuf=" + given[0]), false,
                    false).receiveBufferBytes(), given[0]);
        }
    }

    @Test
    void aReceiveBufferOutOfRangeOrNotASizeIsAUsageErrorThatSaysWhatToWrite() {
        String notASize = ": expected a size in bytes, with an optional K, M or G, e.g. -o rcvbuf=64M";
        for (String[] refused : new String[][] {
                {"rcvbuf", notASize}, {"rcvbuf=", notASize}, {"rcvbuf=-1", notASize}, {"rcvbuf=16MB", notASize},
                {"rcvbuf=1.5M", notASize}, {"rcvbuf= 16M", notASize}, {"rcvbuf=99999999999", notASize},
                {"rcvbuf=16", ": 16 bytes would hold some 0 events; give at least 64K (for 16 MiB: -o rcvbuf=16M)"},
                {"rcvbuf=65535", ": 65535 bytes would hold some 157 events; give at least 64K"},
                {"rcvbuf=63K", ": 64512 bytes would hold some 155 events; give at least 64K"},
                {"rcvbuf=0", ": 0 bytes would hold some 0 events; give at least 64K"},
                {"rcvbuf=2G", ": the kernel allows at most 1G"},
                {"rcvbuf=1025M", ": the kernel allows at most 1G"},
                {"rcvbuf=1073741825", ": the kernel allows at most 1G"},
                {"rcvbuf=9999999999K", ": the kernel allows at most 1G"}}) {
            StartFailure f = assertThrows(StartFailure.class, () -> DaemonSettings.of("/uproc", List.of(refused[0]),
                    false, false));
            assertEquals(ExitCode.USAGE, f.exitCode());
            assertEquals("-o " + refused[0] + refused[1], f.getMessage());
        }
    }

    @Test
    void maxTemplatedIsAPositiveCount() throws StartFailure {
        assertEquals(100_000, DaemonSettings.of("/uproc", List.of(), false, false).maxTemplated());
        assertEquals(5, DaemonSettings.of("/uproc", List.of("max_templated=5"), false, false).maxTemplated());
        for (String bad : new String[] {"max_templated", "max_templated=0", "max_templated=-1", "max_templated=1e6",
            "max_templated=9999999999"}) {
            StartFailure f = org.junit.jupiter.api.Assertions.assertThrows(StartFailure.class,
                    () -> DaemonSettings.of("/uproc", List.of(bad), false, false));
            assertEquals(uprocfs.fuse.ExitCode.USAGE, f.exitCode());
            org.junit.jupiter.api.Assertions.assertTrue(f.getMessage().startsWith("-o " + bad + ": expected"),
                    f.getMessage());
        }
    }

    @Test
    void metricsListenOnLocalhostUnlessAnAddressIsGiven() throws StartFailure {
        assertEquals(null, DaemonSettings.of("/uproc", List.of(), false, false).metrics());
        assertEquals("127.0.0.1:9357", DaemonSettings.of("/uproc", List.of("metrics=9357"), false, false).metrics()
                .toString());
        assertEquals("0.0.0.0:9357", DaemonSettings.of("/uproc", List.of("metrics=0.0.0.0:9357"), false, false)
                .metrics().toString());
        DaemonSettings.MetricsAddress v6 = DaemonSettings.of("/uproc", List.of("metrics=[::1]:9357"), false, false)
                .metrics();
        assertEquals("::1", v6.host());
        assertEquals("[::1]:9357", v6.toString());
        for (String bad : new String[] {"metrics", "metrics=", "metrics=0", "metrics=65536", "metrics=::1:9357",
            "metrics=host:", "metrics=:9357", "metrics=a b:9357"}) {
            StartFailure f = org.junit.jupiter.api.Assertions.assertThrows(StartFailure.class,
                    () -> DaemonSettings.of("/uproc", List.of(bad), false, false), bad);
            assertEquals(uprocfs.fuse.ExitCode.USAGE, f.exitCode());
            org.junit.jupiter.api.Assertions.assertTrue(f.getMessage().startsWith("-o " + bad + ": expected [ADDR:]PORT"),
                    f.getMessage());
        }
    }
}
