package io.sallyport.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A copy of a {@code config-examples/} directory with some ports moved: the machine that runs the tests
 * may already use the examples' fixed ports, so each test maps them to free ones and leaves the rest of
 * the documents exactly as documented.
 */
final class ExampleConfigs {

    private ExampleConfigs() {
    }

    /** Copies {@code config-examples/<name>} into {@code into}, replacing {@code port: <old>} by {@code port: <new>}. */
    static Path copy(String name, Path into, Map<Integer, Integer> ports) {
        Path source = SallyportProcess.root().resolve("config-examples").resolve(name);
        Path target = into.resolve(name);
        try (Stream<Path> files = Files.list(source)) {
            Files.createDirectories(target);
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".yaml"))::iterator) {
                String text = Files.readString(f);
                for (Map.Entry<Integer, Integer> e : ports.entrySet()) {
                    text = text.replaceAll("port: " + e.getKey() + "\\b", "port: " + e.getValue());
                }
                Files.writeString(target.resolve(f.getFileName()), text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
