package uprocfs.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.UnbufferedTokenStream;
import org.antlr.v4.runtime.atn.PredictionMode;
import uprocfs.core.rule.RuleSet;

/**
 * Reads a uproc configuration ({@code /etc/uproc.conf}) into a {@link RuleSet}.
 *
 * <p>Either the whole file is good and a {@link LoadedConfig} comes back, or a
 * {@link ConfigException} lists every error as {@code FILE:LINE:COL: message}; a
 * configuration is never half-loaded. The loader holds no state and may be used from
 * any thread.
 */
public final class ConfigLoader {

    /** The file name that means standard input. */
    public static final String STDIN = "-";

    /** How standard input is named in messages. */
    public static final String STDIN_SOURCE = "<stdin>";

    /**
     * The largest configuration read, in bytes. A million rules take about 25 MB; the
     * limit is there so that a wrong path (a huge log, say) fails with a message instead
     * of exhausting memory.
     */
    public static final int MAX_BYTES = 256 << 20;

    private ConfigLoader() {
    }

    /**
     * Loads {@code file}, or standard input when it is {@code -}, after the
     * {@linkplain ConfigFileCheck#forThisProcess() checks for this process}.
     */
    public static LoadedConfig load(Path file) throws ConfigException {
        return load(file, ConfigFileCheck.forThisProcess());
    }

    /** Loads {@code file}, or standard input when it is {@code -}, after {@code check}. */
    public static LoadedConfig load(Path file, ConfigFileCheck check) throws ConfigException {
        String source = file.toString();
        if (source.equals(STDIN)) {
            return parse(STDIN_SOURCE, STDIN, readLimited(STDIN_SOURCE, System.in));
        }
        try (InputStream in = openChecked(file, check)) {
            return parse(source, source, readLimited(source, in));
        } catch (IOException e) {
            throw ConfigFileCheck.unreadable(source, e);
        }
    }

    /**
     * The checks {@link #load} and {@link #verifyReadable} share, in their order: trust
     * ({@code check}), then that the file opens, then its size; returns it open.
     */
    private static InputStream openChecked(Path file, ConfigFileCheck check) throws ConfigException {
        check.verify(file);
        InputStream in = null;
        try {
            in = Files.newInputStream(file);
            if (Files.size(file) > MAX_BYTES) {
                throw tooLarge(file.toString());
            }
            return in;
        } catch (IOException | ConfigException e) {
            try {
                if (in != null) {
                    in.close();
                }
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof ConfigException c) {
                throw c;
            }
            throw ConfigFileCheck.unreadable(file.toString(), (IOException) e);
        }
    }

    /**
     * Passes when {@link #load(Path)} would get to parse {@code file}: the
     * {@linkplain ConfigFileCheck#forThisProcess() checks for this process}, that it opens,
     * and its size. Costs a stat and an open, not a parse: what a command that leaves the
     * parse to a daemon it starts can check at once.
     */
    public static void verifyReadable(Path file) throws ConfigException {
        verifyReadable(file, ConfigFileCheck.forThisProcess());
    }

    /** {@link #verifyReadable(Path)} with {@code check} instead of this process's. */
    public static void verifyReadable(Path file, ConfigFileCheck check) throws ConfigException {
        if (file.toString().equals(STDIN)) {
            return;
        }
        try (InputStream in = openChecked(file, check)) {
            // Opened and checked is all this asks.
        } catch (IOException e) {
            throw ConfigFileCheck.unreadable(file.toString(), e);
        }
    }

    /** Reads a configuration from a stream, named {@code source} in messages; does not close it. */
    public static LoadedConfig read(String source, InputStream in) throws ConfigException {
        return parse(source, source, readLimited(source, in));
    }

    /** Parses {@code content}, named {@code source} in messages and in the rule set. */
    public static LoadedConfig parse(String source, byte[] content) throws ConfigException {
        return parse(source, source, content);
    }

    /**
     * @param source    the name in messages
     * @param ruleSetAs the name the rule set records, which for standard input is {@code -}
     */
    private static LoadedConfig parse(String source, String ruleSetAs, byte[] content) throws ConfigException {
        Instant loadedAt = Instant.now();
        Diagnostics diagnostics = new Diagnostics(source);
        String text = ConfigText.decode(content, diagnostics);
        if (text == null) {
            throw diagnostics.exception();
        }
        RuleReader reader = new RuleReader(diagnostics);
        SyntaxErrors syntaxErrors = new SyntaxErrors(diagnostics);
        UprocConfLexer lexer = new UprocConfLexer(CharStreams.fromString(text, source));
        lexer.removeErrorListeners();
        lexer.addErrorListener(syntaxErrors);
        // Tokens are let go as soon as their line is read, and no tree is built: memory
        // stays flat however many rules there are. The grammar is LL(1), so SLL
        // prediction, the fast one, decides exactly what full LL would.
        UprocConfParser parser = new UprocConfParser(new UnbufferedTokenStream<>(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(syntaxErrors);
        parser.setBuildParseTree(false);
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        parser.setLineSink(reader);
        parser.config();
        reader.finish();
        if (diagnostics.hasErrors()) {
            throw diagnostics.exception();
        }
        if (reader.rules().isEmpty()) {
            diagnostics.warning(1, 1, "no rules: the mount will be empty; add a rule such as 'uid 1000 uid.alice'");
        }
        return new LoadedConfig(new RuleSet(ruleSetAs, loadedAt, reader.rules()), diagnostics.warnings());
    }

    private static byte[] readLimited(String source, InputStream in) throws ConfigException {
        byte[] content;
        try {
            content = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw ConfigException.ofFile(source, "cannot read: " + e.getMessage());
        }
        if (content.length > MAX_BYTES) {
            throw tooLarge(source);
        }
        return content;
    }

    private static ConfigException tooLarge(String source) {
        return ConfigException.ofFile(source, "larger than " + MAX_BYTES + " bytes, which is no uproc config"
                + " (a million rules take about 25 MB): check the path");
    }

    /**
     * Turns what ANTLR reports into errors of the configuration. The grammar accepts
     * every sequence of tokens and the lexer every character, so nothing is expected
     * here; should a change of grammar break that, the report still has its place.
     */
    private static final class SyntaxErrors extends BaseErrorListener {
        private final Diagnostics diagnostics;

        SyntaxErrors(Diagnostics diagnostics) {
            this.diagnostics = diagnostics;
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
                                int charPositionInLine, String msg, RecognitionException e) {
            diagnostics.error(line, charPositionInLine + 1, msg);
        }
    }
}
