package uprocfs.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import org.antlr.v4.runtime.Token;
import uprocfs.core.rule.NameTemplate;
import uprocfs.core.rule.NameTemplate.Placeholder;
import uprocfs.core.rule.RuleSpec;

/**
 * Gives the words of each line their meaning: {@code <key> <value> ... <name>}.
 *
 * <p>A line with a mistake is reported and dropped, and reading goes on with the next
 * one, so that one pass over a file finds every broken line. Only the first mistake of
 * a line is reported: the rest of a line whose shape is wrong would mostly produce
 * echoes of the first. What depends on other lines ({@code under}: the namespace it
 * names may come later in the file) is settled by {@link #finish()}.
 */
final class RuleReader implements UprocConfParser.LineSink {

    private enum Key {
        UID, GID, CMD, UNDER, EXE, ARGS;

        static final int COUNT = values().length;

        final String word = name().toLowerCase(Locale.ROOT);

        static Key of(String word) {
            return switch (word) {
                case "uid" -> UID;
                case "gid" -> GID;
                case "cmd" -> CMD;
                case "under" -> UNDER;
                case "exe" -> EXE;
                case "args" -> ARGS;
                default -> null;
            };
        }

        /** How a rule with this key alone is written, for messages. */
        String usage() {
            return switch (this) {
                case UID, GID -> word + " <number> <name>";
                case CMD -> "cmd <command> <name>";
                case UNDER -> "under <namespace> <name>";
                case EXE -> "exe <path> <name>";
                case ARGS -> "args \"<regex>\" <name>";
            };
        }

        /** Why the key can be given once, and what to do instead. */
        String once() {
            return switch (this) {
                case UID, GID -> "a process has one " + word + ", so keep one condition";
                case CMD -> "a process has one command name, so keep one condition";
                case UNDER -> "a rule is under one namespace; for the trees of two, write a rule for each";
                case EXE -> "a process has one executable, so keep one condition";
                case ARGS -> "a process has one command line, so keep one regex (a|b matches either)";
            };
        }
    }

    /** The value that makes a key a template: any value, one file per distinct one. */
    private static final String ANY_VALUE = "*";

    /** Marks a uid or gid that was reported as wrong; no real id is negative. */
    private static final long BAD_ID = -2;

    /** How much of a line an error about its shape repeats. */
    private static final int QUOTED_LINE_CHARS = 80;

    /** A rule's {@code under}, settled once every name in the file is known. */
    private record Under(int rule, Token value) {
    }

    private final Diagnostics diagnostics;
    private final List<RuleSpec> rules = new ArrayList<>();
    /**
     * Namespace name to the line that first defined it (0: none). Primitive values: with
     * 100,000 rules a HashMap's nodes and boxed lines were 5 MB that lived through the whole
     * parse, copied by every young collection of it.
     */
    private final Object2IntOpenHashMap<String> definedAt = new Object2IntOpenHashMap<>();
    private final List<Under> unders = new ArrayList<>();
    /** The last word of every line that was dropped: an under naming one of them is not reported again. */
    private final Set<String> droppedNames = new HashSet<>();

    RuleReader(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** The rules read so far, in file order. */
    List<RuleSpec> rules() {
        return rules;
    }

    @Override
    public void line(UprocConfParser.LineContext line) {
        List<Token> words = line.words;
        List<Token> strays = line.strays;
        if (!hasArgsValue(words) && hasString(words)) {
            OriginalWords original = OriginalWords.of(words, strays);
            words = original.words();
            strays = original.strays();
        }
        if (!strays.isEmpty()) {
            error(strays.get(0), "carriage return (\\r) in the middle of a line:"
                    + " end lines with \\n or \\r\\n only");
            return;
        }
        if (!words.isEmpty() && !rule(words)) {
            droppedNames.add(words.get(words.size() - 1).getText());
        }
    }

    /**
     * Settles what depends on the whole file: every {@code under} names a fixed namespace
     * defined somewhere in it, and no namespace is under itself through others.
     */
    void finish() {
        if (unders.isEmpty()) {
            return;
        }
        Map<String, Integer> byName = new HashMap<>();
        for (Under under : unders) {
            byName.put(under.value.getText(), null);
        }
        for (int i = 0; i < rules.size(); i++) {
            String name = rules.get(i).name();
            if (byName.containsKey(name)) {
                byName.put(name, i);
            }
        }
        Map<Integer, Under> edges = new HashMap<>();
        for (Under under : unders) {
            String target = under.value.getText();
            Integer found = byName.get(target);
            if (found == null) {
                if (!droppedNames.contains(target)) {
                    error(under.value, "under " + Diagnostics.quote(target) + ": no namespace of that name in this"
                            + " file; define it with a rule of its own (anywhere in the file), or correct the name");
                }
            } else if (rules.get(found).templated()) {
                error(under.value, "under " + Diagnostics.quote(target) + " names a templated namespace (line "
                        + rules.get(found).line() + "): a tree grows from the members of one fixed namespace,"
                        + " so name a rule without *");
            } else {
                edges.put(under.rule, under);
            }
        }
        reportCycles(edges, byName);
    }

    /**
     * Each rule has at most one under, so following them from any rule either ends at a
     * namespace that is under no other or runs into a cycle; each cycle is reported once,
     * at the under of its last rule in the file, the one that closed it.
     */
    private void reportCycles(Map<Integer, Under> edges, Map<String, Integer> byName) {
        Map<Integer, Boolean> finished = new HashMap<>();
        for (Under start : unders) {
            List<Integer> path = new ArrayList<>();
            Integer rule = start.rule;
            while (rule != null && !finished.containsKey(rule)) {
                finished.put(rule, false);
                path.add(rule);
                Under under = edges.get(rule);
                rule = under == null ? null : byName.get(under.value.getText());
            }
            if (rule != null && !finished.get(rule)) {
                List<Integer> cycle = path.subList(path.indexOf(rule), path.size());
                int closing = cycle.stream().max(Integer::compare).orElseThrow();
                int at = cycle.indexOf(closing);
                StringBuilder chain = new StringBuilder();
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i <= cycle.size(); i++) {
                    RuleSpec member = rules.get(cycle.get((at + i) % cycle.size()));
                    chain.append(i == 0 ? "" : " -> ").append(Diagnostics.shown(member.name()));
                    if (i < cycle.size()) {
                        lines.append(i == 0 ? "" : ", ").append(member.line());
                    }
                }
                Under closer = edges.get(closing);
                error(closer.value, "under " + Diagnostics.quote(closer.value.getText()) + " closes a cycle, "
                        + chain + " (line" + (cycle.size() == 1 ? " " : "s ") + lines + "): a tree grows from a"
                        + " namespace that is under none of its own members; remove one of these under keys");
            }
            for (Integer member : path) {
                finished.put(member, true);
            }
        }
    }

    /**
     * Whether {@code args} is one of the line's keys, with a quoted value: such a line
     * is of the new language (the original had no args), so its quotes mean what they say.
     */
    private static boolean hasArgsValue(List<Token> words) {
        for (int at = 0; at + 1 < words.size(); at += 2) {
            Key key = words.get(at).getType() == UprocConfLexer.WORD ? Key.of(words.get(at).getText()) : null;
            if (key == null) {
                return false;
            }
            if (key == Key.ARGS) {
                return words.get(at + 1).getType() == UprocConfLexer.STRING;
            }
        }
        return false;
    }

    private static boolean hasString(List<Token> words) {
        for (Token word : words) {
            if (word.getType() == UprocConfLexer.STRING) {
                return true;
            }
        }
        return false;
    }

    /** Reads one rule; false when it was reported and dropped. */
    private boolean rule(List<Token> words) {
        int count = words.size();
        long uid = RuleSpec.ANY;
        long gid = RuleSpec.ANY;
        Token cmd = null;
        boolean anyUid = false;
        boolean anyGid = false;
        boolean anyCmd = false;
        Token under = null;
        String exe = null;
        String args = null;
        Token[] keyGiven = new Token[Key.COUNT];
        int at = 0;
        while (at < count) {
            Token word = words.get(at);
            String text = word.getText();
            Key key = Key.of(text);
            boolean last = at == count - 1;
            if (key == null) {
                if (last && at > 0) {
                    break;
                }
                if (count == 1) {
                    error(word, "namespace name " + Diagnostics.quote(text) + " has no condition:"
                            + " put uid <number>, gid <number> or cmd <command> before it");
                } else if (at == count - 2) {
                    error(word, "unknown key " + Diagnostics.quote(text) + " (expected uid, gid or cmd;"
                            + " a namespace name is one word, the last on the line)");
                } else {
                    error(word, "unknown key " + Diagnostics.quote(text) + " (expected uid, gid or cmd)");
                }
                return false;
            }
            if (last) {
                if (at == 0) {
                    error(word, "'" + key.word + "' needs a value and a namespace name: " + key.usage());
                    return false;
                }
                // The original accepted any last word as the name, so this stays legal.
                diagnostics.warning(word.getLine(), column(word), "namespace name " + Diagnostics.quote(text)
                        + " is also a key: if " + (key.word.matches("[aeiou].*") ? "an " : "a ") + key.word
                        + " condition was meant, its value and the name are missing");
                break;
            }
            Token first = keyGiven[key.ordinal()];
            if (first != null) {
                error(word, key.word + " given twice (first at column " + column(first) + "): " + key.once());
                return false;
            }
            keyGiven[key.ordinal()] = word;
            Token value = words.get(at + 1);
            boolean any = value.getText().equals(ANY_VALUE);
            switch (key) {
                case UID -> {
                    anyUid = any;
                    uid = any ? RuleSpec.ANY : id(key, value);
                }
                case GID -> {
                    anyGid = any;
                    gid = any ? RuleSpec.ANY : id(key, value);
                }
                case CMD -> {
                    anyCmd = any;
                    cmd = any ? null : value;
                }
                case UNDER -> under = value;
                case EXE -> exe = exe(value);
                case ARGS -> args = at + 2 < count && glued(value, words.get(at + 2)) ? null : args(value);
            }
            if (uid == BAD_ID || gid == BAD_ID || (key == Key.EXE && exe == null)
                    || (key == Key.ARGS && args == null)) {
                return false;
            }
            at += 2;
        }
        if (at == count) {
            Token end = words.get(count - 1);
            diagnostics.error(end.getLine(), column(end) + end.getText().codePointCount(0, end.getText().length()),
                    "missing namespace name after " + Diagnostics.quote(joined(words))
                            + ": end the rule with the name of its file");
            return false;
        }
        Token nameToken = words.get(count - 1);
        String name = nameToken.getText();
        if (!placeholdersMatchKeys(nameToken, anyUid, anyGid, anyCmd)) {
            return false;
        }
        boolean templated = anyUid || anyGid || anyCmd;
        NamespaceName.Problem problem = templated ? NamespaceName.checkTemplate(name) : NamespaceName.check(name);
        if (problem != null) {
            diagnostics.error(nameToken.getLine(), column(nameToken) + problem.offset(), problem.message());
            return false;
        }
        int firstLine = definedAt.putIfAbsent(name, nameToken.getLine());
        if (firstLine != 0) {
            error(nameToken, "duplicate namespace " + Diagnostics.quote(name) + " (first defined at line "
                    + firstLine + ")");
            return false;
        }
        RuleSpec.More more = templated || under != null || exe != null || args != null
                ? new RuleSpec.More(anyUid, anyGid, anyCmd, under == null ? null : under.getText(), exe, args)
                : RuleSpec.More.NONE;
        RuleSpec rule = new RuleSpec(name, uid, gid, cmd == null ? null : cmd.getText(), nameToken.getLine(), more);
        if (rule.cmdTooLong()) {
            diagnostics.warning(cmd.getLine(), column(cmd), "cmd " + Diagnostics.quote(rule.cmd())
                    + " can never match: the kernel keeps at most " + RuleSpec.COMM_MAX_BYTES
                    + " bytes of a command name" + commHint(rule.cmd()));
        }
        if (under != null) {
            unders.add(new Under(rules.size(), under));
        }
        rules.add(rule);
        return true;
    }

    /**
     * Whether every {@code *} key has a placeholder in the name and every placeholder its
     * {@code *} key; reports the first mismatch. Braces around anything else are text.
     */
    private boolean placeholdersMatchKeys(Token nameToken, boolean anyUid, boolean anyGid, boolean anyCmd) {
        String name = nameToken.getText();
        if (!anyUid && !anyGid && !anyCmd && name.indexOf('{') < 0) {
            return true;
        }
        NameTemplate template = NameTemplate.parse(name);
        String missing = anyUid && !template.has(Placeholder.UID) && !template.has(Placeholder.USER)
                ? "uid * needs {uid} or {user} in the name " + Diagnostics.quote(name) + ", one file per user;"
                        + " for example " + Diagnostics.quote(name + ".{user}")
                : anyGid && !template.has(Placeholder.GID) && !template.has(Placeholder.GROUP)
                ? "gid * needs {gid} or {group} in the name " + Diagnostics.quote(name) + ", one file per group;"
                        + " for example " + Diagnostics.quote(name + ".{group}")
                : anyCmd && !template.has(Placeholder.CMD)
                ? "cmd * needs {cmd} in the name " + Diagnostics.quote(name) + ", one file per command name;"
                        + " for example " + Diagnostics.quote(name + ".{cmd}")
                : null;
        if (missing != null) {
            error(nameToken, missing);
            return false;
        }
        Placeholder unfilled = null;
        int offset = Integer.MAX_VALUE;
        for (Placeholder p : template.placeholders()) {
            boolean filled = switch (p) {
                case UID, USER -> anyUid;
                case GID, GROUP -> anyGid;
                case CMD -> anyCmd;
            };
            if (!filled && template.offsetOf(p) < offset) {
                unfilled = p;
                offset = template.offsetOf(p);
            }
        }
        if (unfilled == null) {
            return true;
        }
        String key = switch (unfilled) {
            case UID, USER -> "uid";
            case GID, GROUP -> "gid";
            case CMD -> "cmd";
        };
        diagnostics.error(nameToken.getLine(), column(nameToken) + name.codePointCount(0, offset),
                unfilled.text + " in the name " + Diagnostics.quote(name) + " is filled only by " + key + " *:"
                        + " write " + key + " * for one file per value, or leave " + unfilled.text + " out");
        return false;
    }

    /**
     * Whether {@code next} starts right after the closing quote of {@code regex}, where
     * the lexer makes it a word of its own; reported, as it was surely meant to be inside.
     */
    private boolean glued(Token regex, Token next) {
        if (regex.getType() != UprocConfLexer.STRING || next.getStartIndex() != regex.getStopIndex() + 1) {
            return false;
        }
        error(next, Diagnostics.quote(next.getText()) + " follows the closing quote of the args regex without"
                + " a space: move it inside the quotes, or put a space before it");
        return true;
    }

    /** The path of an exe value, or {@code null} after reporting why it is none. */
    private String exe(Token value) {
        String path = value.getText();
        if (!path.startsWith("/")) {
            error(value, "exe needs an absolute path, got " + Diagnostics.quote(path) + ": write it as"
                    + " /proc/PID/exe shows it, such as /usr/sbin/sshd (command -v NAME finds it)");
            return null;
        }
        return path;
    }

    /**
     * The regex of an args value, or {@code null} after reporting why it is none. Inside
     * the quotes a backslash before a quote stands for the quote; every other backslash
     * stays, with the character after it, so the regex reaches RE2/J as written.
     */
    private String args(Token value) {
        String text = value.getText();
        if (value.getType() != UprocConfLexer.STRING) {
            error(value, "args needs its regex in double quotes, got " + Diagnostics.quote(text) + ": write args \""
                    + Diagnostics.shown(text) + "\"");
            return null;
        }
        StringBuilder regex = new StringBuilder(text.length());
        for (int i = 1; i < text.length() - 1; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                // The lexer pairs a backslash with the character after it, which is never the closing quote.
                char next = text.charAt(++i);
                if (next != '"') {
                    regex.append(c);
                }
                regex.append(next);
            } else {
                regex.append(c);
            }
        }
        try {
            Pattern.compile(regex.toString());
        } catch (PatternSyntaxException e) {
            error(value, "args regex " + Diagnostics.quote(regex.toString()) + " does not compile: "
                    + Diagnostics.shown(e.getDescription()) + " (RE2 syntax, as pgrep -f without backreferences"
                    + " or lookaround); fix the regex");
            return null;
        }
        return regex.toString();
    }

    /**
     * The id a value names, or {@link #BAD_ID} after reporting why it names none. Digits
     * are counted before any arithmetic, so no length of input can overflow a long.
     */
    private long id(Key key, Token value) {
        String text = value.getText();
        int significant = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                error(value, key.word + " needs a number, got " + Diagnostics.quote(text)
                        + (key == Key.UID ? ": write the numeric uid (id -u NAME prints it)"
                                          : ": write the numeric gid (getent group NAME shows it)"));
                return BAD_ID;
            }
            if (significant < 0 && c != '0') {
                significant = i;
            }
        }
        if (significant < 0) {
            return 0;
        }
        // MAX_ID has 10 digits; more than that is out of range without parsing.
        long id = text.length() - significant > 10 ? Long.MAX_VALUE
                : Long.parseLong(text, significant, text.length(), 10);
        if (id > RuleSpec.MAX_ID) {
            error(value, key.word + " " + Diagnostics.shown(text) + " is out of range (0.." + RuleSpec.MAX_ID + ")");
            return BAD_ID;
        }
        return id;
    }

    /**
     * The comm that a process running {@code cmd} really has, the rule that was
     * probably meant; nothing when the 15-byte cut falls inside a character, since
     * that comm is not text anyone could write here.
     */
    private static String commHint(String cmd) {
        byte[] bytes = cmd.getBytes(StandardCharsets.UTF_8);
        if ((bytes[RuleSpec.COMM_MAX_BYTES] & 0xC0) == 0x80) {
            return "";
        }
        return " (a process running it shows as "
                + Diagnostics.quote(new String(bytes, 0, RuleSpec.COMM_MAX_BYTES, StandardCharsets.UTF_8)) + ")";
    }

    private static String joined(List<Token> words) {
        StringBuilder text = new StringBuilder();
        for (Token word : words) {
            if (text.length() > QUOTED_LINE_CHARS) {
                break;
            }
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(word.getText());
        }
        return text.toString();
    }

    private void error(Token at, String message) {
        diagnostics.error(at.getLine(), column(at), message);
    }

    /** ANTLR counts columns from 0, editors and compilers from 1. */
    private static int column(Token token) {
        return token.getCharPositionInLine() + 1;
    }
}
