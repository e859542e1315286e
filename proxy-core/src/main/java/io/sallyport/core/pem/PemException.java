package io.sallyport.core.pem;

/**
 * Bad PEM input: not PEM at all, a malformed block, the wrong kind of block, an encrypted key, or a key
 * that does not belong to its certificate. The message is written for the person who wrote the config.
 */
public final class PemException extends Exception {

    private static final long serialVersionUID = 1L;

    public PemException(String message) {
        super(message);
    }

    public PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
