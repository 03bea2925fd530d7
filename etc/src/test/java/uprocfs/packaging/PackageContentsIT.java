package uprocfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import uprocfs.testing.ProcessResult;
import uprocfs.testing.RootEnvironment;

/**
 * The package as built, before anything is installed: its files with their owners and modes,
 * its control fields, its conffiles, what lintian says of it, and man pages that say what
 * {@code uproc --help} says.
 */
class PackageContentsIT {
    /** Every file the package holds, with its mode: nothing more, nothing less. */
    private static final Map<String, String> FILES = new TreeMap<>(Map.ofEntries(
            Map.entry("./etc/default/uprocfs", "-rw-r--r--"),
            Map.entry("./etc/logrotate.d/uprocfs", "-rw-r--r--"),
            Map.entry("./lib/systemd/system/uprocfs.service", "-rw-r--r--"),
            Map.entry("./usr/bin/uproc", "-rwxr-xr-x"),
            Map.entry("./usr/bin/uproc-config", "-rwxr-xr-x"),
            Map.entry("./usr/share/uprocfs/uproc.jar", "-rw-r--r--"),
            Map.entry("./usr/share/man/man8/uproc.8.gz", "-rw-r--r--"),
            Map.entry("./usr/share/man/man8/uproc-config.8.gz", "-rw-r--r--"),
            Map.entry("./usr/share/man/man5/uproc.conf.5.gz", "-rw-r--r--"),
            Map.entry("./usr/share/bash-completion/completions/uproc", "-rw-r--r--"),
            Map.entry("./usr/share/doc/uprocfs/README.md", "-rw-r--r--"),
            Map.entry("./usr/share/doc/uprocfs/copyright", "-rw-r--r--"),
            Map.entry("./usr/share/doc/uprocfs/changelog.gz", "-rw-r--r--"),
            Map.entry("./usr/share/doc/uprocfs/examples/uproc.conf", "-rw-r--r--")));

    /** Where the lintian tags the package is allowed are listed, each with why. */
    private static final Path PACKAGING_DOC = Path.of("../docs/PACKAGING.md");

    @Test
    void holdsExactlyItsFilesOwnedByRootWithTheirModes() {
        Map<String, String> files = new TreeMap<>();
        for (String line : Deb.lines(Deb.run("dpkg-deb", "--contents", Deb.file().toString()).out())) {
            // drwxr-xr-x root/root         0 2026-12-02 06:19 ./etc/
            String[] f = line.trim().split("\\s+", 6);
            assertEquals("root/root", f[1], line);
            if (f[0].startsWith("d")) {
                assertEquals("drwxr-xr-x", f[0], line);
            } else {
                files.put(f[5], f[0]);
            }
        }
        assertEquals(FILES, files);
    }

    @Test
    void controlNamesTheVersionTheDependenciesAndTheConffiles() {
        String deb = Deb.file().toString();
        assertEquals(Deb.NAME, field(deb, "Package"));
        assertEquals(Deb.VERSION, field(deb, "Version"));
        assertEquals("all", field(deb, "Architecture"));
        // A Java 17+ runtime as Debian's Java packages name one; fuse for fusermount,
        // libfuse2 for the library jnr-fuse binds to.
        assertEquals("default-jre-headless (>= 2:1.17) | java17-runtime-headless, fuse, libfuse2",
                field(deb, "Depends"));
        Path control = extractControl(deb);
        try {
            assertEquals(List.of("/etc/default/uprocfs", "/etc/logrotate.d/uprocfs"),
                    Files.readAllLines(control.resolve("conffiles")));
            for (String script : List.of("postinst", "prerm", "postrm")) {
                assertTrue(Files.isExecutable(control.resolve(script)), script + " is not executable");
                Deb.run("sh", "-n", control.resolve(script).toString());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            Deb.run("rm", "-rf", control.toString());
        }
    }

    @Test
    void lintianFindsNoErrorAndOnlyTheWarningsTheDocsExplain() throws IOException {
        assumeTrue(RootEnvironment.onPath("lintian"), "needs lintian: tools/install-deps installs it");
        ProcessResult r = ProcessResult.of("lintian", "--allow-root", "--tag-display-limit", "0", Deb.file().toString());
        List<String> errors = new ArrayList<>();
        TreeSet<String> tags = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^([EWIXO]): uprocfs: ([a-z0-9-]+)").matcher(r.out());
        while (m.find()) {
            if (m.group(1).equals("E")) {
                errors.add(m.group());
            }
            if (m.group(1).equals("W")) {
                tags.add(m.group(2));
            }
        }
        assertEquals(List.of(), errors, r.out());
        String doc = Files.readString(PACKAGING_DOC, StandardCharsets.UTF_8);
        for (String tag : tags) {
            assertTrue(doc.contains("`" + tag + "`"), "lintian warns " + tag + ", which " + PACKAGING_DOC
                    + " does not explain:\n" + r.out());
        }
    }

    @Test
    void theManPageListsEveryOptionOfTheCommandsHelp() throws IOException {
        Path tree = extractData(Deb.file().toString());
        try {
            String help = Deb.run("java", "-jar", tree.resolve("usr/share/uprocfs/uproc.jar").toString(), "--help")
                    .out();
            ProcessResult man = ProcessResult.of(List.of("man", "--warnings", "-l",
                    tree.resolve("usr/share/man/man8/uproc.8.gz").toString()),
                    Map.of("PATH", "/usr/bin:/bin", "MANWIDTH", "200", "LANG", "C.UTF-8"), Duration.ofSeconds(30));
            assertEquals(0, man.exitCode(), man.toString());
            assertEquals("", man.err(), "man reports problems in uproc.8: " + man.err());
            Matcher option = Pattern.compile("(?m)^\\s+(-[a-zA-Z]|--[a-z-]+)\\b").matcher(help);
            int options = 0;
            while (option.find()) {
                options++;
                assertTrue(Pattern.compile("(?m)^\\s+" + Pattern.quote(option.group(1)) + "\\b").matcher(man.out()).find(),
                        "uproc --help lists " + option.group(1) + ", uproc(8) does not:\n" + man.out());
            }
            assertTrue(options >= 5, "found only " + options + " options in uproc --help:\n" + help);
            for (String page : List.of("man5/uproc.conf.5.gz", "man8/uproc-config.8.gz")) {
                ProcessResult other = ProcessResult.of(List.of("man", "--warnings", "-l",
                        tree.resolve("usr/share/man/" + page).toString()),
                        Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"), Duration.ofSeconds(30));
                assertEquals(0, other.exitCode(), page + ": " + other);
                assertEquals("", other.err(), "man reports problems in " + page + ": " + other.err());
            }
        } finally {
            Deb.run("rm", "-rf", tree.toString());
        }
    }

    @Test
    void bashCompletesTheCommandsOptions() {
        Path tree = extractData(Deb.file().toString());
        try {
            // What bash does on "uproc -<TAB>": calls the function the script registered.
            String script = "source " + tree.resolve("usr/share/bash-completion/completions/uproc") + "\n"
                    + "COMP_WORDS=(uproc -); COMP_CWORD=1; COMP_LINE='uproc -'; COMP_POINT=7\n"
                    + "_complete_uproc uproc - uproc 2>/dev/null\n"
                    + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
            List<String> offered = Deb.lines(Deb.run("bash", "-c", script).out());
            for (String option : List.of("-o", "-f", "-d", "-s", "--help", "--version")) {
                assertTrue(offered.contains(option), "completion of 'uproc -' lacks " + option + ": " + offered);
            }
        } finally {
            Deb.run("rm", "-rf", tree.toString());
        }
    }

    private static String field(String deb, String name) {
        return Deb.run("dpkg-deb", "--field", deb, name).out().strip();
    }

    private static Path extractControl(String deb) {
        Path dir = tempDir();
        Deb.run("dpkg-deb", "--control", deb, dir.toString());
        return dir;
    }

    private static Path extractData(String deb) {
        Path dir = tempDir();
        Deb.run("dpkg-deb", "--extract", deb, dir.toString());
        return dir;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("uprocfs-deb");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
