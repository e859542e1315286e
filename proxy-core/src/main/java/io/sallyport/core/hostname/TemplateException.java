package io.sallyport.core.hostname;

/**
 * A {@code HostnameGenerator} template that cannot be parsed. The message names the problem and where it
 * is ({@code at column N}, or {@code at line L, column N} for templates spanning several lines).
 */
public final class TemplateException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    TemplateException(String problem, int line, int column, boolean multiLine) {
        super(problem + (multiLine ? " at line " + line + ", column " + column : " at column " + column));
        this.line = line;
        this.column = column;
    }

    /** 1-based line of the problem in the template. */
    public int line() {
        return line;
    }

    /** 1-based column of the problem in its line. */
    public int column() {
        return column;
    }
}
