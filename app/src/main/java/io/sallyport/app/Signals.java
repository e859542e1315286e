package io.sallyport.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Routes POSIX signals to the server: TERM and INT start a draining shutdown (so the process exits 0,
 * not 143), HUP a reload. The JVM runs each handler on a short-lived thread of its own; handlers only
 * hand the request over and return.
 */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    static void install(ProxyServer server) {
        handle("TERM", () -> {
            log.info("SIGTERM received");
            server.shutdown(true);
        });
        handle("INT", () -> {
            log.info("SIGINT received");
            server.shutdown(true);
        });
        handle("HUP", () -> server.reload("SIGHUP"));
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), s -> action.run());
        } catch (IllegalArgumentException e) {
            // The JVM reserves the signal (e.g. run with -Xrs): keep its default behaviour.
            log.debug("cannot handle SIG{}: {}", name, e.getMessage());
        }
    }
}
