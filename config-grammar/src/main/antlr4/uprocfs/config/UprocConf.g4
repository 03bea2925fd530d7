/*
 * The uproc configuration file, as the C original read it: one rule per line,
 *
 *     <key> <value> [<key> <value> ...] <name>
 *
 * with keys uid, gid and cmd in any order and the namespace name last.
 *
 * The grammar only splits the text into lines of words. Keys, values and names
 * stay plain WORDs on purpose: deciding in the loader which word is a key, a
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
// vanish into whitespace and silently join two rules.
line   : (words+=WORD | strays+=STRAY_CR)* { lineSink.line($ctx); } ;

NEWLINE  : '\r'? '\n' ;

// Comments run to the end of the line. They may contain any character but a
// newline; the '\r' of a "\r\n" line end becomes part of the comment, which is
// harmless because comments are dropped.
COMMENT  : [#;] ~[\n]* -> skip ;

SPACE    : [ \t]+ -> skip ;

STRAY_CR : '\r' ;

// Anything else that is not a separator. Control characters and bytes the
// kernel would not accept in a file name end up inside words, where the loader
// reports them with their exact column.
WORD     : ~[ \t\r\n#;]+ ;
