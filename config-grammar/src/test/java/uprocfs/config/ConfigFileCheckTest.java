package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uprocfs.testing.RootEnvironment;

/** Which files the daemon agrees to read its configuration from. */
class ConfigFileCheckTest {

    private static final ConfigFileCheck AS_ROOT = ConfigFileCheck.forEffectiveUid(0);
    private static final ConfigFileCheck AS_USER = ConfigFileCheck.forEffectiveUid(1000);

    @TempDir
    Path dir;

    @Test
    void rootOwnedFileThatOnlyRootCanWriteLoads() throws Exception {
        assumeRoot();
        Path file = config("uid 1 a\n", "rw-r--r--");
        assertEquals(List.of("a[uid=1]@1"), ConfigTexts.shown(ConfigLoader.load(file, AS_ROOT)));
    }

    @Test
    void rootRefusesAFileOthersCanWrite() throws Exception {
        assumeRoot();
        Path file = config("uid 1 a\n", "rw-rw-rw-");
        assertEquals(file + ": refusing a config file that group or others can write (mode 0666): they could"
                + " change what the daemon, running as root, serves; fix with: chown root:root " + file
                + " && chmod go-w " + file, refusal(file, AS_ROOT));
    }

    @Test
    void rootRefusesAFileItsGroupCanWrite() throws Exception {
        assumeRoot();
        Path file = config("uid 1 a\n", "rw-rw----");
        assertEquals(file + ": refusing a config file that group or others can write (mode 0660): they could"
                + " change what the daemon, running as root, serves; fix with: chown root:root " + file
                + " && chmod go-w " + file, refusal(file, AS_ROOT));
    }

    @Test
    void rootRefusesAFileSomeoneElseOwns() throws Exception {
        assumeRoot();
        Path file = config("uid 1 a\n", "rw-r--r--");
        Files.setAttribute(file, "unix:uid", 65534);
        assertEquals(file + ": refusing a config file owned by uid 65534, not root: its owner could change what"
                + " the daemon, running as root, serves; fix with: chown root:root " + file
                + " && chmod go-w " + file, refusal(file, AS_ROOT));
    }

    @Test
    void thisProcessAppliesTheRootRulesWhenItIsRoot() throws Exception {
        assumeRoot();
        Path file = config("uid 1 a\n", "rw-rw-rw-");
        ConfigException failure = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(refusal(file, AS_ROOT), failure.getMessage());
    }

    @Test
    void aDaemonNotRunningAsRootTrustsWhatItCanRead() throws Exception {
        Path file = config("uid 1 a\n", "rw-rw-rw-");
        assertEquals(List.of("a[uid=1]@1"), ConfigTexts.shown(ConfigLoader.load(file, AS_USER)));
    }

    @Test
    void missingFileSaysHowToCreateOne() {
        Path file = dir.resolve("uproc.conf");
        String expected = file + ": no such file; create one with uproc-config > " + file
                + " (tools/uproc-config in a source checkout)";
        assertEquals(expected, refusal(file, AS_ROOT));
        assertEquals(expected, refusal(file, AS_USER));
    }

    @Test
    void directoryIsNotAConfigFile() {
        assertEquals(dir + ": is a directory, not a config file: give the path of a regular file"
                + " (or - for standard input)", refusal(dir, AS_USER));
    }

    @Test
    void deviceIsNotAConfigFile() {
        Path device = Path.of("/dev/zero");
        assumeTrue(Files.exists(device), "needs " + device);
        assertEquals("/dev/zero: is a character device, not a config file: give the path of a regular file"
                + " (or - for standard input)", refusal(device, AS_ROOT));
    }

    @Test
    void fifoIsNotAConfigFile() throws Exception {
        Path fifo = dir.resolve("fifo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo failed");
        assertEquals(fifo + ": is a FIFO, not a config file: give the path of a regular file"
                + " (or - for standard input)", refusal(fifo, AS_USER));
    }

    @Test
    void symlinkIsJudgedByTheFileItPointsTo() throws Exception {
        Path file = config("uid 1 a\n", "rw-r--r--");
        Path link = Files.createSymbolicLink(dir.resolve("link.conf"), file);
        assertEquals(List.of("a[uid=1]@1"), ConfigTexts.shown(ConfigLoader.load(link, AS_USER)));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.conf"), dir.resolve("gone"));
        assertEquals(dangling + ": no such file; create one with uproc-config > " + dangling
                + " (tools/uproc-config in a source checkout)",
                refusal(dangling, AS_USER));
    }

    @Test
    void hugeFileIsRefusedBeforeItIsRead() throws IOException {
        Path file = dir.resolve("huge.conf");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(ConfigLoader.MAX_BYTES + 1L);
        }
        assertEquals(file + ": larger than 268435456 bytes, which is no uproc config (a million rules take"
                + " about 25 MB): check the path", refusal(file, AS_USER));
    }

    @Test
    void errorsInAFileAreNamedByThePathAsGiven() throws Exception {
        Path file = config("uid 1 a\nuid x b\n", "rw-r--r--");
        assertEquals(file + ":2:5: uid needs a number, got 'x': write the numeric uid (id -u NAME prints it)",
                refusal(file, AS_USER));
    }

    @Test
    void theChecksBeforeTheParseRefuseWhatLoadRefusesWithTheSameMessage() throws Exception {
        Path huge = dir.resolve("huge.conf");
        try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
            sparse.setLength(ConfigLoader.MAX_BYTES + 1L);
        }
        Path fifo = dir.resolve("fifo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo failed");
        for (Path refused : List.of(dir.resolve("absent.conf"), dir, huge, fifo)) {
            assertEquals(refusal(refused, AS_USER), assertThrows(ConfigException.class,
                    () -> ConfigLoader.verifyReadable(refused, AS_USER)).getMessage());
        }
        Path writable = config("uid 1 a\n", "rw-rw-rw-");
        assertEquals(refusal(writable, AS_ROOT), assertThrows(ConfigException.class,
                () -> ConfigLoader.verifyReadable(writable, AS_ROOT)).getMessage());
    }

    @Test
    void theChecksBeforeTheParseLeaveTheContentToTheParse() throws Exception {
        Path file = config("uid 1 a\nuid x b\n", "rw-r--r--");
        ConfigLoader.verifyReadable(file, AS_USER);
        ConfigLoader.verifyReadable(Path.of(ConfigLoader.STDIN), AS_ROOT);
    }

    private Path config(String text, String permissions) throws IOException {
        Path file = Files.writeString(dir.resolve("uproc.conf"), text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private static String refusal(Path file, ConfigFileCheck check) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, check)).getMessage();
    }

    private static void assumeRoot() {
        RootEnvironment.assumeRoot("ownership rules are checked against a root-owned file, which only root can "
                + "create");
    }
}
