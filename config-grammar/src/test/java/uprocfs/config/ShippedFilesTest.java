package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etc/uproc.conf and tools/uproc-config, as shipped, agree with the loader. */
class ShippedFilesTest {

    /** Tests run in the module directory; the shipped files are next to it. */
    private static final Path TOOL = Path.of("../tools/uproc-config").toAbsolutePath().normalize();
    private static final Path EXAMPLE = Path.of("../etc/uproc.conf").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void exampleConfigurationLoadsWithoutErrorsOrWarnings() throws Exception {
        LoadedConfig config = ConfigLoader.parse(EXAMPLE.toString(), Files.readAllBytes(EXAMPLE));
        assertEquals(List.of(), config.warnings());
        List<String> rules = ConfigTexts.shown(config);
        assertTrue(rules.contains("my_username[uid=1000]@30"), rules.toString());
        assertTrue(rules.contains("groups.backup[gid=34]@31"), rules.toString());
        assertTrue(rules.contains("software.backup[cmd=tar]@32"), rules.toString());
    }

    @Test
    void exampleConfigurationShowsEveryCombinationOfKeys() throws Exception {
        LoadedConfig config = ConfigLoader.parse(EXAMPLE.toString(), Files.readAllBytes(EXAMPLE));
        List<String> combinations = new ArrayList<>();
        config.rules().rules().forEach(rule -> {
            String keys = (rule.hasUid() ? "uid " : "") + (rule.hasGid() ? "gid " : "") + (rule.hasCmd() ? "cmd" : "");
            if (!combinations.contains(keys.trim())) {
                combinations.add(keys.trim());
            }
        });
        combinations.sort(null);
        assertEquals(List.of("cmd", "gid", "gid cmd", "uid", "uid cmd", "uid gid", "uid gid cmd"), combinations);
    }

    @Test
    void toolOutputLoadsAndHasRoot() throws Exception {
        Run run = runTool(Map.of());
        assertEquals(0, run.status, run.stderr);
        assertTrue(run.stdout.contains("\nuid 0 uid.root\n"), run.stdout);
        assertTrue(run.stdout.contains("\ngid 0 gid.root\n"), run.stdout);
        assertTrue(run.stdout.contains("tools/uproc-config | sudo tee /etc/uproc.conf"), run.stdout);
        LoadedConfig config = ConfigLoader.parse("uproc-config output", run.stdout.getBytes(StandardCharsets.UTF_8));
        List<String> rules = ConfigTexts.shown(config);
        assertTrue(rules.stream().anyMatch(r -> r.startsWith("uid.root[uid=0]@")), rules.toString());
        assertTrue(rules.stream().anyMatch(r -> r.startsWith("gid.root[gid=0]@")), rules.toString());
    }

    @Test
    void toolPrintsTheSameRulesTheDaemonUsesByDefault() throws Exception {
        Run run = runTool(Map.of());
        LoadedConfig fromTool = ConfigLoader.parse("tool", run.stdout.getBytes(StandardCharsets.UTF_8));
        assertEquals(namesAndIds(DefaultConfig.load()), namesAndIds(fromTool));
    }

    @Test
    void toolSkipsTheSameHostileAccountsAsTheDaemon() throws Exception {
        String passwd = String.join("\n",
                "root:x:0:0::/root:/bin/sh", "two words:x:5:5::/:", "hash#:x:6:6::/:", "semi;colon:x:6:6::/:",
                "sl/ash:x:7:7::/:", "bell\u0007:x:8:8::/:", "n".repeat(252) + ":x:9:9::/:", "n".repeat(251) + ":x:9:9::/:",
                ":x:10:10::/:", "big:x:4294967294:1::/:", "huge:x:4294967295:1::/:", "negative:x:-1:1::/:", "nis",
                "root:x:99:0::/:", ".dot:x:11:11::/:", "zeros:x:0042:1::/:", "jørgen:x:1001:1::/:", "") + "\n";
        String group = "root:x:0:\nbackup:x:34:\nbackup:x:35:\n";
        byte[] passwdBytes = concat(passwd.getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xC3, 'x', ':', 'x', ':', '1', '2', ':', '\n'});
        Path fakeBin = Files.createDirectory(dir.resolve("bin"));
        Files.write(dir.resolve("passwd"), passwdBytes);
        Files.writeString(dir.resolve("group"), group);
        Path getent = Files.writeString(fakeBin.resolve("getent"), "#!/bin/sh\nexec cat \"" + dir + "/$1\"\n");
        Files.setPosixFilePermissions(getent, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run run = runTool(Map.of("PATH", fakeBin + ":" + System.getenv("PATH")));
        assertEquals(0, run.status, run.stderr);
        LoadedConfig fromTool = ConfigLoader.parse("tool", run.stdout.getBytes(StandardCharsets.UTF_8));
        LoadedConfig fromDaemon = DefaultConfig.fromDatabases("getent passwd", passwdBytes, "getent group",
                group.getBytes(StandardCharsets.UTF_8));
        assertEquals(namesAndIds(fromDaemon), namesAndIds(fromTool));
        assertEquals(List.of("uid.root 0", "uid." + "n".repeat(251) + " 9", "uid.big 4294967294", "uid..dot 11",
                "uid.zeros 42", "uid.jørgen 1001", "gid.root 0", "gid.backup 34"), namesAndIds(fromTool));
        // One warning per skipped account, from both.
        long toolWarnings = run.stderr.lines().filter(l -> l.contains(": warning: skipping ")).count();
        assertEquals(fromDaemon.warnings().size(), toolWarnings, run.stderr);
    }

    @Test
    void toolExplainsItselfAndRejectsUnknownArguments() throws Exception {
        Run help = runTool(Map.of(), "--help");
        assertEquals(0, help.status);
        assertTrue(help.stdout.startsWith("Usage: tools/uproc-config [--help]"), help.stdout);
        Run wrong = runTool(Map.of(), "--frobnicate");
        assertEquals(2, wrong.status);
        assertEquals("uproc-config: unknown argument '--frobnicate'; try: tools/uproc-config --help\n", wrong.stderr);
    }

    private static List<String> namesAndIds(LoadedConfig config) {
        List<String> shown = new ArrayList<>();
        config.rules().rules().forEach(r -> shown.add(r.name() + " " + (r.hasUid() ? r.uid() : r.gid())));
        return shown;
    }

    private record Run(int status, String stdout, String stderr) {
    }

    private Run runTool(Map<String, String> environment, String... arguments) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(TOOL), TOOL + " must be executable");
        List<String> command = new ArrayList<>(List.of(TOOL.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tools/uproc-config did not finish within 60 s");
        return new Run(process.exitValue(), Files.readString(dir.resolve("stdout")), Files.readString(dir.resolve("stderr")));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
