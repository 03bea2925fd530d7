package uprocfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import uprocfs.testing.ProcessResult;

/** The package this build made, and what the tests ask of it. */
final class Deb {
    /** The package's name, as dpkg knows it. */
    static final String NAME = "uprocfs";
    /** Where the build put the package (set by etc/pom.xml). */
    static final Path FILE = Path.of(System.getProperty("uprocfs.deb", "target/uprocfs_0.0.0_all.deb"))
            .toAbsolutePath();
    /** The version the build gave it: the project's. */
    static final String VERSION = FILE.getFileName().toString().replaceFirst("^uprocfs_(.*)_all\\.deb$", "$1");

    /** Files the package installs that the tests look at. */
    static final Path JAR = Path.of("/usr/share/uprocfs/uproc.jar");
    static final Path UPROC = Path.of("/usr/bin/uproc");
    static final Path UNIT = Path.of("/lib/systemd/system/uprocfs.service");
    static final Path DEFAULTS = Path.of("/etc/default/uprocfs");
    static final Path LOGROTATE = Path.of("/etc/logrotate.d/uprocfs");
    static final Path COMPLETION = Path.of("/usr/share/bash-completion/completions/uproc");

    private Deb() {
    }

    /** The package file exists: it is what `mvn package` made. */
    static Path file() {
        assertTrue(Files.isRegularFile(FILE), FILE + " is missing: the build (jdeb, etc/pom.xml) did not make it");
        return FILE;
    }

    /** Runs {@code command}, which must succeed. */
    static ProcessResult run(String... command) {
        ProcessResult r = ProcessResult.of(command);
        assertEquals(0, r.exitCode(), () -> String.join(" ", command) + ": " + r);
        return r;
    }

    /** The lines of {@code text}, without the empty last one. */
    static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
