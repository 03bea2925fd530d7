package uprocfs.config;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;

/**
 * A line split into words as the original language split it, before quoted strings
 * existed: words end at a space or tab, '#' and ';' start a comment, a carriage return
 * that does not end the line is a stray.
 *
 * <p>A quoted string means something only as the value of {@code args}, and no line of
 * the original language had {@code args} as a key. Anywhere else a string that holds a
 * separator ({@code uid 1 "a #b"}) must read as it always did (the name {@code "a},
 * then a comment), or a configuration of today would change meaning; the reader then
 * reads its line through here. Lines without quotes never come here.
 *
 * @param words  the words in order, as WORD tokens at their line and column
 * @param strays the stray carriage returns, as STRAY_CR tokens
 */
record OriginalWords(List<Token> words, List<Token> strays) {

    /** Splits the line whose tokens, as the current lexer made them, are {@code words} and {@code strays}. */
    static OriginalWords of(List<Token> words, List<Token> strays) {
        Token first = null;
        Token last = null;
        for (List<Token> tokens : List.of(words, strays)) {
            if (tokens.isEmpty()) {
                continue;
            }
            if (first == null || tokens.get(0).getStartIndex() < first.getStartIndex()) {
                first = tokens.get(0);
            }
            Token end = tokens.get(tokens.size() - 1);
            if (last == null || end.getStopIndex() > last.getStopIndex()) {
                last = end;
            }
        }
        List<Token> originalWords = new ArrayList<>();
        List<Token> originalStrays = new ArrayList<>();
        if (first == null) {
            return new OriginalWords(originalWords, originalStrays);
        }
        // Before the first token there is only blank space; after the last, only blank
        // space or a comment, which the original skipped as well. Indexes count code points.
        CharStream stream = first.getInputStream();
        String text = stream.getText(Interval.of(first.getStartIndex(), last.getStopIndex()));
        int line = first.getLine();
        int column = first.getCharPositionInLine();
        int wordStart = -1;
        int wordColumn = 0;
        for (int i = 0; i < text.length(); column++) {
            int c = text.codePointAt(i);
            boolean separator = c == ' ' || c == '\t' || c == '#' || c == ';' || c == '\r';
            if (separator && wordStart >= 0) {
                originalWords.add(token(UprocConfLexer.WORD, text.substring(wordStart, i), line, wordColumn));
                wordStart = -1;
            }
            if (c == '#' || c == ';') {
                return new OriginalWords(originalWords, originalStrays);
            }
            if (c == '\r') {
                // Not followed by '\n' within the line, or the lexer would have ended the line there.
                originalStrays.add(token(UprocConfLexer.STRAY_CR, "\r", line, column));
            } else if (!separator && wordStart < 0) {
                wordStart = i;
                wordColumn = column;
            }
            i += Character.charCount(c);
        }
        if (wordStart >= 0) {
            originalWords.add(token(UprocConfLexer.WORD, text.substring(wordStart), line, wordColumn));
        }
        return new OriginalWords(originalWords, originalStrays);
    }

    private static Token token(int type, String text, int line, int column) {
        CommonToken token = new CommonToken(type, text);
        token.setLine(line);
        token.setCharPositionInLine(column);
        return token;
    }
}
