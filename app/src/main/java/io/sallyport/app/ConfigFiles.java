package io.sallyport.app;

import io.sallyport.core.config.ConfigLoader;
import io.sallyport.core.config.LoadResult;
import java.nio.file.Path;
import java.util.List;

/** The {@link ConfigSource} of the {@code --config} files and directories, read with {@link ConfigLoader}. */
public final class ConfigFiles implements ConfigSource {

    private final List<Path> paths;

    public ConfigFiles(List<Path> paths) {
        this.paths = List.copyOf(paths);
    }

    @Override
    public Loaded load() {
        LoadResult result = ConfigLoader.load(paths);
        List<String> files = ConfigLoader.files(paths).stream().map(Path::toString).toList();
        return new Loaded(result.config(), result.errors(), files);
    }
}
