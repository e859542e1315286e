package io.sallyport.app;

import java.util.List;

/**
 * An expected failure that ends a command with an exit code and lines for stderr (an invalid config,
 * a port in use). Carries no stack trace: the lines say everything the user needs.
 */
public final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final List<String> lines;

    public CommandFailure(int exitCode, List<String> lines) {
        super(String.join("\n", lines), null, false, false);
        this.exitCode = exitCode;
        this.lines = List.copyOf(lines);
    }

    public CommandFailure(int exitCode, String line) {
        this(exitCode, List.of(line));
    }

    public int exitCode() {
        return exitCode;
    }

    public List<String> lines() {
        return lines;
    }
}
