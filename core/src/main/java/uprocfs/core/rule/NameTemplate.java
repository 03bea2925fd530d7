package uprocfs.core.rule;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The name of a templated rule, e.g. {@code user.{user}} or {@code {user}.{cmd}}: literal
 * text and placeholders, rendered into one file name per distinct value of the rule's
 * {@code *} keys.
 *
 * <p>The escape rule, one for every value: a byte that cannot stand in a file name, or
 * would change what it means, is written {@code %XX} (two upper-case hex digits): {@code /},
 * {@code %} itself, control bytes (below 0x20, and 0x7f), bytes that are not UTF-8, and a
 * {@code .} at the start of a value (a file name starting with a dot is hidden, and
 * {@code .} and {@code ..} are not files). An empty value is written {@code %00}, which no
 * real value produces. So {@code cmd.{cmd}} names a process called {@code a/b} in
 * {@code cmd.a%2Fb}, and {@code .x} in {@code cmd.%2Ex}. Nothing is ever dropped: two
 * different values never give one name.
 */
public final class NameTemplate {

    /** What a placeholder stands for. */
    public enum Placeholder {
        UID("uid"), USER("user"), GID("gid"), GROUP("group"), CMD("cmd");

        /** The placeholder as written, braces included: {@code {uid}}. */
        public final String text;

        Placeholder(String word) {
            this.text = "{" + word + "}";
        }
    }

    /** Literal text, or a placeholder ({@code placeholder != null}). */
    private record Part(String literal, Placeholder placeholder) {
    }

    private final String source;
    private final List<Part> parts;
    private final EnumSet<Placeholder> placeholders;

    private NameTemplate(String source, List<Part> parts, EnumSet<Placeholder> placeholders) {
        this.source = source;
        this.parts = parts;
        this.placeholders = placeholders;
    }

    /** Splits {@code name} at its placeholders; anything else in braces is literal text. */
    public static NameTemplate parse(String name) {
        List<Part> parts = new ArrayList<>();
        EnumSet<Placeholder> found = EnumSet.noneOf(Placeholder.class);
        StringBuilder literal = new StringBuilder();
        int i = 0;
        outer:
        while (i < name.length()) {
            if (name.charAt(i) == '{') {
                for (Placeholder p : Placeholder.values()) {
                    if (name.startsWith(p.text, i)) {
                        if (literal.length() > 0) {
                            parts.add(new Part(literal.toString(), null));
                            literal.setLength(0);
                        }
                        parts.add(new Part(null, p));
                        found.add(p);
                        i += p.text.length();
                        continue outer;
                    }
                }
            }
            literal.append(name.charAt(i++));
        }
        if (literal.length() > 0) {
            parts.add(new Part(literal.toString(), null));
        }
        return new NameTemplate(name, List.copyOf(parts), found);
    }

    /** The placeholders the name holds. */
    public Set<Placeholder> placeholders() {
        return EnumSet.copyOf(placeholders);
    }

    public boolean has(Placeholder p) {
        return placeholders.contains(p);
    }

    /** Characters from the start of the name to the first {@code p}, or -1. */
    public int offsetOf(Placeholder p) {
        return source.indexOf(p.text);
    }

    /**
     * The file name for one set of values, each escaped. A value not needed by the name may
     * be {@code null}.
     *
     * @param uid   the uid in decimal
     * @param user  the user's name, or the uid in decimal when it has none
     * @param gid   the gid in decimal
     * @param group the group's name, or the gid in decimal
     * @param cmd   the command name as the engine keeps it: one char per byte (ISO-8859-1)
     */
    public String render(String uid, String user, String gid, String group, String cmd) {
        StringBuilder name = new StringBuilder(source.length() + 16);
        for (Part part : parts) {
            if (part.placeholder == null) {
                name.append(part.literal);
                continue;
            }
            switch (part.placeholder) {
                case UID -> escape(uid, false, name);
                case USER -> escape(user, false, name);
                case GID -> escape(gid, false, name);
                case GROUP -> escape(group, false, name);
                case CMD -> escape(cmd, true, name);
            }
        }
        return name.toString();
    }

    /** {@code value} as it appears in a file name (see the class's escape rule). */
    public static String escape(String value) {
        StringBuilder out = new StringBuilder();
        escape(value, false, out);
        return out.toString();
    }

    /**
     * @param bytewise the value holds one byte per char (a comm), to be decoded as UTF-8
     *                 where it is UTF-8
     */
    private static void escape(String value, boolean bytewise, StringBuilder out) {
        if (value.isEmpty()) {
            out.append("%00");
            return;
        }
        String text = value;
        if (bytewise && !isAscii(value)) {
            byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                // Not UTF-8: every byte above 0x7f is written as it is, %XX.
                for (int i = 0; i < bytes.length; i++) {
                    int b = bytes[i] & 0xff;
                    if (b >= 0x80 || mustEscape(b, i)) {
                        hex(b, out);
                    } else {
                        out.append((char) b);
                    }
                }
                return;
            }
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80 && mustEscape(c, i)) {
                hex(c, out);
            } else {
                out.append(c);
            }
        }
    }

    private static boolean mustEscape(int c, int index) {
        return c == '/' || c == '%' || c < 0x20 || c == 0x7f || (c == '.' && index == 0);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static void hex(int b, StringBuilder out) {
        out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
    }

    @Override
    public String toString() {
        return source;
    }
}
