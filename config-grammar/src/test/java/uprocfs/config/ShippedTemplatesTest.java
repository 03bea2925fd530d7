package uprocfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.rule.RuleSpec.More;

/** The forms of issue 11 in the shipped files: etc/uproc.conf shows each, uproc-config --templates prints two. */
class ShippedTemplatesTest {

    private static final Path TOOL = Path.of("../tools/uproc-config").toAbsolutePath().normalize();
    private static final Path EXAMPLE = Path.of("../etc/uproc.conf").toAbsolutePath().normalize();

    @Test
    void exampleConfigurationShowsEveryNewForm() throws Exception {
        List<RuleSpec> rules = ConfigLoader.parse(EXAMPLE.toString(), Files.readAllBytes(EXAMPLE)).rules().rules();
        assertTrue(rules.stream().anyMatch(r -> r.more().anyUid()), "uid *");
        assertTrue(rules.stream().anyMatch(r -> r.more().anyGid()), "gid *");
        assertTrue(rules.stream().anyMatch(r -> r.more().anyCmd()), "cmd *");
        assertTrue(rules.stream().anyMatch(r -> r.more().anyCmd() && r.more().anyGid()), "two * keys");
        assertTrue(rules.stream().anyMatch(r -> r.more().exe() != null), "exe");
        assertTrue(rules.stream().anyMatch(r -> r.more().args() != null), "args");
        assertTrue(rules.stream().anyMatch(r -> r.more().exe() != null && r.more().args() != null), "exe and args");
        List<String> fixedNames = rules.stream().filter(r -> !r.templated()).map(RuleSpec::name)
                .collect(Collectors.toList());
        List<RuleSpec> trees = rules.stream().filter(r -> r.more().under() != null).collect(Collectors.toList());
        assertTrue(trees.stream().anyMatch(r -> trees.stream().anyMatch(t -> t.name().equals(r.more().under()))),
                "a tree under a tree");
        trees.forEach(r -> assertTrue(fixedNames.contains(r.more().under()), r.toString()));
    }

    /** The machine-wide forms are shown commented out; uncommented, each loads as it says. */
    @Test
    void exampleConfigurationsCommentedTemplatesLoadWhenUncommented() throws Exception {
        String commented = Files.readAllLines(EXAMPLE).stream().filter(l -> l.matches("#(uid|gid|cmd) \\* .*"))
                .map(l -> l.substring(1)).collect(Collectors.joining("\n"));
        assertEquals(List.of(
                new RuleSpec("uid.{user}", RuleSpec.ANY, RuleSpec.ANY, null, 1, new More(true, false, false, null, null, null)),
                new RuleSpec("gid.{group}", RuleSpec.ANY, RuleSpec.ANY, null, 2, new More(false, true, false, null, null, null)),
                new RuleSpec("cmd.{cmd}", RuleSpec.ANY, RuleSpec.ANY, null, 3, new More(false, false, true, null, null, null)),
                new RuleSpec("{user}.{cmd}", RuleSpec.ANY, RuleSpec.ANY, null, 4, new More(true, false, true, null, null, null))),
                ConfigTexts.load(commented).rules().rules());
    }

    @Test
    void toolPrintsTheTwoTemplatedRulesAndNeedsNoAccounts() throws Exception {
        Process process = new ProcessBuilder(TOOL.toString(), "--templates").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        LoadedConfig config = ConfigLoader.parse("uproc-config --templates", output.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("uid * uid.{user}", "gid * gid.{group}"),
                output.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).collect(Collectors.toList()));
        List<RuleSpec> rules = config.rules().rules();
        assertEquals(2, rules.size());
        assertEquals(new More(true, false, false, null, null, null), rules.get(0).more());
        assertEquals("uid.{user}", rules.get(0).name());
        assertEquals(new More(false, true, false, null, null, null), rules.get(1).more());
        assertEquals("gid.{group}", rules.get(1).name());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void toolHelpNamesTemplatesAndRefusesMoreArguments() throws Exception {
        Process help = new ProcessBuilder(TOOL.toString(), "--help").redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(60, TimeUnit.SECONDS));
        assertTrue(text.startsWith("Usage: tools/uproc-config [--help] [--templates]\n"), text);
        assertTrue(text.contains("  --templates  print the one-line equivalent instead"), text);
        Process extra = new ProcessBuilder(TOOL.toString(), "--templates", "x").redirectErrorStream(true).start();
        String refused = new String(extra.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(extra.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, extra.exitValue());
        assertEquals("uproc-config: unexpected argument 'x'; try: tools/uproc-config --help\n", refused);
    }
}
