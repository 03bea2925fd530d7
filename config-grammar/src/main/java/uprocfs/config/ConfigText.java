package uprocfs.config;

import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of a configuration into text, or says exactly where they are not text.
 *
 * <p>Java's own decoders either replace bad bytes silently or report them without a
 * position, so this checks UTF-8 by hand (the well-formed sequences of Unicode 15,
 * table 3-7) and counts lines and columns as it goes. NUL is valid UTF-8 but never part
 * of a text file, and the kernel could not hold it in a name, so it is refused too.
 */
final class ConfigText {

    private ConfigText() {
    }

    /**
     * The text of {@code bytes} without a leading byte order mark, or {@code null} after
     * reporting every NUL byte and invalid UTF-8 sequence to {@code diagnostics}.
     */
    static String decode(byte[] bytes, Diagnostics diagnostics) {
        // Editors on other systems may start a UTF-8 file with a byte order mark;
        // it is not part of the first word.
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        boolean clean = true;
        int line = 1;
        int column = 1;
        int i = start;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            if (b == '\n') {
                line++;
                column = 1;
                i++;
                continue;
            }
            if (b == 0) {
                diagnostics.error(line, column, "NUL byte: a config file is text; remove it");
                clean = false;
                column++;
                i++;
                continue;
            }
            if (b < 0x80) {
                column++;
                i++;
                continue;
            }
            int valid = validSequenceLength(bytes, i);
            if (valid > 0) {
                i += valid;
            } else {
                diagnostics.error(line, column, String.format(
                        "invalid UTF-8 (byte 0x%02x): save the file as UTF-8", b));
                clean = false;
                i += -valid;
            }
            column++;
        }
        return clean ? new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8) : null;
    }

    /**
     * The length of the well-formed multi-byte sequence at {@code at}, or minus the
     * length of its maximal ill-formed prefix (at least one byte), which is what a
     * decoder replaces by one U+FFFD: so one broken character costs one error, not three.
     */
    private static int validSequenceLength(byte[] bytes, int at) {
        int lead = bytes[at] & 0xFF;
        int length;
        int low = 0x80;
        int high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) {
                low = 0xA0;
            } else if (lead == 0xED) {
                high = 0x9F;
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) {
                low = 0x90;
            } else if (lead == 0xF4) {
                high = 0x8F;
            }
        } else {
            return -1;
        }
        for (int k = 1; k < length; k++) {
            if (at + k >= bytes.length) {
                return -k;
            }
            int next = bytes[at + k] & 0xFF;
            if (next < low || next > high) {
                return -k;
            }
            low = 0x80;
            high = 0xBF;
        }
        return length;
    }
}
