/*
 * The uproc configuration file: one rule per line,
 *
 *     <key> <value> [<key> <value> ...] <name>
 *
 * with keys in any order and the namespace name last: uid, gid and cmd as the C
 * original read them, and under, exe and args (issue 11).
 *
 * The grammar only splits the text into lines of words, a word being a WORD or,
 * for the regex of args, a quoted STRING. Keys, values and names stay plain
 * tokens on purpose: deciding in the loader which word is a key, a
 * value or the name lets every mistake be reported in the user's terms
 * ("unknown key 'foo'", "uid needs a number") instead of as a token mismatch.
 * Every token sequence the lexer can produce is a valid parse, so the parser
 * never has to recover from an error, and every decision is LL(1), so SLL
 * prediction is exact.
 */
grammar UprocConf;

@parser::members {
    /** Receives each line as soon as it is parsed. */
    public interface LineSink {
        void line(LineContext line);
    }

    private LineSink lineSink;

    /**
     * Where lines go. Handing each line on as it ends, with tree building off, means
     * no parse tree of a million rules is ever held in memory.
     */
    public void setLineSink(LineSink lineSink) {
        this.lineSink = lineSink;
    }
}

// A file is lines separated by newlines; the last one may lack its newline.
config : line (NEWLINE line)* EOF ;

// A line is any run of words. A carriage return that does not end a line is
// kept as its own token so that the loader can name it instead of letting it
// vanish into whitespace and silently join two rules. Words and quoted strings
// share one list so that the loader sees them in the order written.
line   : (words+=WORD | words+=STRING | strays+=STRAY_CR)* { lineSink.line($ctx); } ;

NEWLINE  : '\r'? '\n' ;

// Comments run to the end of the line. They may contain any character but a
// newline; the '\r' of a "\r\n" line end becomes part of the comment, which is
// harmless because comments are dropped.
COMMENT  : [#;] ~[\n]* -> skip ;

SPACE    : [ \t]+ -> skip ;

STRAY_CR : '\r' ;

// A quoted string, the value of args: it may hold spaces, '#' and ';'. Inside,
// a backslash takes the character after it along: \" stands for a quote and
// does not end the string, every other pair (\d, \\) is kept as written, so a
// regex reaches RE2 unchanged. No string spans a line end. Defined before WORD
// so that a tie (a string that ends where a word would, as "abc" followed by a
// space) is a STRING; a WORD that runs on past the closing quote is longer and
// wins, and an unclosed quote starts a WORD, both as before. Where a string is
// not the value of args, the loader reads its line as the original split it, so
// no configuration of today changes meaning.
STRING   : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;

// Anything else that is not a separator. Control characters and bytes the
// kernel would not accept in a file name end up inside words, where the loader
// reports them with their exact column.
WORD     : ~[ \t\r\n#;]+ ;
