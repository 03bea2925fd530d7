package uprocfs.config;

import uprocfs.core.rule.NameTemplate;

/**
 * What makes a namespace name usable: it becomes a file name directly under the
 * mount point, so it must be one path component the kernel accepts and that cannot
 * be mistaken for anything else. A templated rule's name is checked for its literal
 * text; the values put in it are escaped by {@link NameTemplate}'s rule.
 */
final class NamespaceName {

    /** NAME_MAX: the longest file name, in bytes, that the kernel and FUSE pass through. */
    static final int MAX_BYTES = 255;

    /**
     * Why a name cannot be used.
     *
     * @param offset  characters (code points) from the start of the name to the offending one
     * @param message what is wrong and how to fix it
     */
    record Problem(int offset, String message) {
    }

    private NamespaceName() {
    }

    /** The first problem with {@code name}, or {@code null} when it is a usable file name. */
    static Problem check(String name) {
        return check(name, false);
    }

    /**
     * The first problem with the name of a templated rule, or {@code null}. Its literal
     * text must be usable as it is in every file it names: no '/' or control character
     * (offsets point into the name as written), no leading '.', and room for the values,
     * each counted as one byte. A placeholder may start the name: the escape rule of
     * {@link NameTemplate} never lets a value start with '.', so no file it names is hidden.
     */
    static Problem checkTemplate(String name) {
        return check(name, true);
    }

    private static Problem check(String name, boolean template) {
        int offset = 0;
        int bytes = 0;
        for (int i = 0; i < name.length(); offset++) {
            NameTemplate.Placeholder placeholder = template ? placeholderAt(name, i) : null;
            if (placeholder != null) {
                // Placeholders are ASCII: characters and code points agree.
                i += placeholder.text.length();
                offset += placeholder.text.length() - 1;
                bytes++;
                continue;
            }
            int c = name.codePointAt(i);
            if (c == '/') {
                return new Problem(offset, "namespace name " + Diagnostics.quote(name)
                        + " contains '/': a name is a single file name, use '.' or '-' to structure it");
            }
            if (c < 0x20 || c == 0x7F) {
                return new Problem(offset, "namespace name " + Diagnostics.quote(name)
                        + String.format(" contains control character \\x%02x: remove it", c));
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            i += Character.charCount(c);
        }
        if (!template && (name.equals(".") || name.equals(".."))) {
            return new Problem(0, "namespace name " + Diagnostics.quote(name)
                    + " is not a usable file name: choose another name");
        }
        if (name.startsWith(".")) {
            return new Problem(0, "namespace name " + Diagnostics.quote(name)
                    + " starts with '.': such names are reserved for the daemon's own files"
                    + " (like /.status); drop the dot");
        }
        if (bytes > MAX_BYTES) {
            return new Problem(0, "namespace name " + Diagnostics.quote(name) + " is " + bytes
                    + (template ? " bytes long with one-byte values" : " bytes long")
                    + ": a file name has at most " + MAX_BYTES + " bytes, shorten it");
        }
        return null;
    }

    /** The placeholder that starts at {@code i} in {@code name}, or {@code null}. */
    static NameTemplate.Placeholder placeholderAt(String name, int i) {
        if (name.charAt(i) != '{') {
            return null;
        }
        for (NameTemplate.Placeholder p : NameTemplate.Placeholder.values()) {
            if (name.startsWith(p.text, i)) {
                return p;
            }
        }
        return null;
    }
}
