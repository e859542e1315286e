package io.sallyport.app;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the {@code --config} paths on its own thread and calls back once per burst of changes (events
 * closer together than the debounce interval count as one). A directory is watched for changes to the
 * {@code *.yaml}/{@code *.yml} files directly inside (what the loader reads); a file through its parent
 * directory. Names
 * starting with {@code ..} count too: Kubernetes swaps a mounted ConfigMap by renaming {@code ..data}.
 */
final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final WatchService watchService;
    private final Duration debounce;
    private final Runnable onChange;
    /** Watched directory → the file names that matter there, or null for "any YAML file". */
    private final Map<Path, Set<String>> watched = new HashMap<>();
    private final Thread thread;

    ConfigWatcher(List<Path> paths, Duration debounce, Runnable onChange) throws IOException {
        this.watchService = FileSystems.getDefault().newWatchService();
        this.debounce = debounce;
        this.onChange = onChange;
        try {
            for (Path p : paths) {
                Path abs = p.toAbsolutePath().normalize();
                if (Files.isDirectory(abs)) {
                    watchDirectory(abs, null);
                } else if (abs.getParent() != null) {
                    watchDirectory(abs.getParent(), abs.getFileName().toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.thread = new Thread(this::loop, "sallyport-config-watch");
        thread.setDaemon(true);
    }

    private void watchDirectory(Path dir, String fileName) throws IOException {
        if (watched.containsKey(dir) && watched.get(dir) == null) {
            return; // already watched for every YAML file
        }
        if (fileName == null) {
            watched.put(dir, null);
        } else {
            watched.computeIfAbsent(dir, d -> new HashSet<>()).add(fileName);
        }
        dir.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                if (!relevant(key)) {
                    continue;
                }
                // Debounce: an editor's save or a ConfigMap swap is several events; wait for quiet.
                WatchKey more;
                while ((more = watchService.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    relevant(more);
                }
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    log.error("config change handling failed: {}", e.toString());
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: stop watching
        }
    }

    /** Drains the key's events; true when one of them concerns the config. */
    private boolean relevant(WatchKey key) {
        Path dir = (Path) key.watchable();
        Set<String> names = watched.get(dir);
        boolean any = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                any = true;
                continue;
            }
            if (concerns(event.context().toString(), names)) {
                any = true;
            }
        }
        key.reset();
        return any;
    }

    /**
     * True when a change to {@code name} in a watched directory matters: a YAML file of a watched
     * directory ({@code fileNames} null), one of the watched files, or a Kubernetes {@code ..} entry.
     */
    static boolean concerns(String name, Set<String> fileNames) {
        if (name.startsWith("..")) {
            return true;
        }
        if (fileNames == null) {
            return name.endsWith(".yaml") || name.endsWith(".yml");
        }
        return fileNames.contains(name);
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("closing the config watcher: {}", e.toString());
        }
        thread.interrupt();
    }
}
