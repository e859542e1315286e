package io.sallyport.app;

import picocli.CommandLine;

/** The release version, from the jar manifest's {@code Implementation-Version}. */
public final class Version {

    private Version() {
    }

    /** {@code 0.1.0} style, or {@code dev} when not running from the packaged jar. */
    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Feeds {@code sallyport --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sallyport " + current()};
        }
    }
}
