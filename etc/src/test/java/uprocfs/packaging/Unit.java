package uprocfs.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The installed unit file read as systemd reads the parts the tests run: its settings, its
 * environment ({@code Environment=}, then {@code EnvironmentFile=}), and its command lines
 * with {@code ${VAR}} (one word) and {@code $VAR} (split at whitespace) expanded
 * (systemd.service(5), "Command lines").
 */
record Unit(Map<String, List<String>> settings, Map<String, String> environment) {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    static Unit read(Path unit) throws IOException {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(unit, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";") || t.startsWith("[")) {
                continue;
            }
            int eq = t.indexOf('=');
            settings.computeIfAbsent(t.substring(0, eq), k -> new ArrayList<>()).add(t.substring(eq + 1));
        }
        Map<String, String> environment = new LinkedHashMap<>();
        for (String assignments : settings.getOrDefault("Environment", List.of())) {
            for (String assignment : assignments.split("\\s+")) {
                int eq = assignment.indexOf('=');
                environment.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        }
        for (String file : settings.getOrDefault("EnvironmentFile", List.of())) {
            Path path = Path.of(file.startsWith("-") ? file.substring(1) : file);
            if (Files.exists(path)) {
                environment.putAll(shellAssignments(path));
            }
        }
        return new Unit(settings, environment);
    }

    /** This unit with one more variable, as systemd sets $MAINPID for ExecReload. */
    Unit with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(environment);
        more.put(name, value);
        return new Unit(settings, more);
    }

    /** The one value of {@code key}. */
    String get(String key) {
        List<String> values = settings.get(key);
        if (values == null || values.size() != 1) {
            throw new AssertionError("the unit has " + (values == null ? "no" : values.size() + " values of") + " " + key);
        }
        return values.get(0);
    }

    /** Every command line of {@code key} (e.g. ExecReload), expanded, without the "-" prefix. */
    List<List<String>> commands(String key) {
        List<List<String>> commands = new ArrayList<>();
        for (String line : settings.getOrDefault(key, List.of())) {
            commands.add(expand(line.startsWith("-") ? line.substring(1) : line));
        }
        return commands;
    }

    /** A command line's words with the environment's variables expanded as systemd does. */
    List<String> expand(String line) {
        List<String> words = new ArrayList<>();
        for (String word : line.strip().split("\\s+")) {
            Matcher m = VARIABLE.matcher(word);
            if (m.matches() && m.group(2) != null) {
                String value = environment.getOrDefault(m.group(2), "").strip();
                if (!value.isEmpty()) {
                    words.addAll(List.of(value.split("\\s+")));
                }
                continue;
            }
            StringBuilder expanded = new StringBuilder();
            m.reset();
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1) : m.group(2);
                m.appendReplacement(expanded, Matcher.quoteReplacement(environment.getOrDefault(name, "")));
            }
            m.appendTail(expanded);
            words.add(expanded.toString());
        }
        return words;
    }

    /** CapabilityBoundingSet= as setpriv's --bounding-set: "-all,+sys_admin,...". */
    String boundingSetForSetpriv() {
        StringBuilder set = new StringBuilder("-all");
        for (String cap : get("CapabilityBoundingSet").split("\\s+")) {
            set.append(",+").append(cap.replaceFirst("^CAP_", "").toLowerCase(Locale.ROOT));
        }
        return set.toString();
    }

    /** VAR=value lines as a shell reads them (quotes removed), which systemd's parser agrees with for these. */
    private static Map<String, String> shellAssignments(Path file) {
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                ". \"$1\"; shift; for n; do printf '%s=%s\\0' \"$n\" \"${!n}\"; done", "bash", file.toString()));
        command.addAll(readNames(file));
        Map<String, String> values = new LinkedHashMap<>();
        for (String entry : Deb.run(command.toArray(new String[0])).out().split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                values.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return values;
    }

    private static List<String> readNames(Path file) {
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Matcher m = Pattern.compile("^\\s*(\\w+)=").matcher(line);
                if (m.find()) {
                    names.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return names;
    }
}
