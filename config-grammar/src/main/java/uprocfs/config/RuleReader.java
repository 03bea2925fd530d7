package uprocfs.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.antlr.v4.runtime.Token;
import uprocfs.core.rule.RuleSpec;

/**
 * Gives the words of each line their meaning: {@code <key> <value> ... <name>}.
 *
 * <p>A line with a mistake is reported and dropped, and reading goes on with the next
 * one, so that one pass over a file finds every broken line. Only the first mistake of
 * a line is reported: the rest of a line whose shape is wrong would mostly produce
 * echoes of the first.
 */
final class RuleReader implements UprocConfParser.LineSink {

    private enum Key {
        UID, GID, CMD;

        static final int COUNT = values().length;

        final String word = name().toLowerCase(Locale.ROOT);

        static Key of(String word) {
            return switch (word) {
                case "uid" -> UID;
                case "gid" -> GID;
                case "cmd" -> CMD;
                default -> null;
            };
        }
    }

    /** Marks a uid or gid that was reported as wrong; no real id is negative. */
    private static final long BAD_ID = -2;

    /** How much of a line an error about its shape repeats. */
    private static final int QUOTED_LINE_CHARS = 80;

    private final Diagnostics diagnostics;
    private final List<RuleSpec> rules = new ArrayList<>();
    /** Namespace name to the line that first defined it. */
    private final Map<String, Integer> definedAt = new HashMap<>();

    RuleReader(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** The rules read so far, in file order. */
    List<RuleSpec> rules() {
        return rules;
    }

    @Override
    public void line(UprocConfParser.LineContext line) {
        if (!line.strays.isEmpty()) {
            error(line.strays.get(0), "carriage return (\\r) in the middle of a line:"
                    + " end lines with \\n or \\r\\n only");
            return;
        }
        if (!line.words.isEmpty()) {
            rule(line.words);
        }
    }

    private void rule(List<Token> words) {
        int count = words.size();
        long uid = RuleSpec.ANY;
        long gid = RuleSpec.ANY;
        Token cmd = null;
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
                return;
            }
            if (last) {
                if (at == 0) {
                    error(word, "'" + key.word + "' needs a value and a namespace name: " + key.word
                            + (key == Key.CMD ? " <command> <name>" : " <number> <name>"));
                    return;
                }
                // The original accepted any last word as the name, so this stays legal.
                diagnostics.warning(word.getLine(), column(word), "namespace name " + Diagnostics.quote(text)
                        + " is also a key: if a " + key.word + " condition was meant, its value and the name"
                        + " are missing");
                break;
            }
            Token first = keyGiven[key.ordinal()];
            if (first != null) {
                error(word, key.word + " given twice (first at column " + column(first) + "): a process has one "
                        + (key == Key.CMD ? "command name" : key.word) + ", so keep one condition");
                return;
            }
            keyGiven[key.ordinal()] = word;
            Token value = words.get(at + 1);
            switch (key) {
                case UID -> uid = id(key, value);
                case GID -> gid = id(key, value);
                case CMD -> cmd = value;
            }
            if (uid == BAD_ID || gid == BAD_ID) {
                return;
            }
            at += 2;
        }
        if (at == count) {
            Token end = words.get(count - 1);
            diagnostics.error(end.getLine(), column(end) + end.getText().codePointCount(0, end.getText().length()),
                    "missing namespace name after " + Diagnostics.quote(joined(words))
                            + ": end the rule with the name of its file");
            return;
        }
        Token nameToken = words.get(count - 1);
        String name = nameToken.getText();
        NamespaceName.Problem problem = NamespaceName.check(name);
        if (problem != null) {
            diagnostics.error(nameToken.getLine(), column(nameToken) + problem.offset(), problem.message());
            return;
        }
        Integer firstLine = definedAt.putIfAbsent(name, nameToken.getLine());
        if (firstLine != null) {
            error(nameToken, "duplicate namespace " + Diagnostics.quote(name) + " (first defined at line "
                    + firstLine + ")");
            return;
        }
        RuleSpec rule = new RuleSpec(name, uid, gid, cmd == null ? null : cmd.getText(), nameToken.getLine());
        if (rule.cmdTooLong()) {
            diagnostics.warning(cmd.getLine(), column(cmd), "cmd " + Diagnostics.quote(rule.cmd())
                    + " can never match: the kernel keeps at most " + RuleSpec.COMM_MAX_BYTES
                    + " bytes of a command name" + commHint(rule.cmd()));
        }
        rules.add(rule);
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
