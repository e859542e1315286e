package io.sallyport.tls;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The server certificate chains one {@link UpstreamTrustManager} has accepted, so that a handshake
 * presenting exactly the same chain again skips the PKIX path building and the SAN parsing.
 *
 * <p>An entry is keyed by the exact DER bytes of every certificate the server sent, in order, the key
 * exchange's {@code authType} and the name the SAN had to match; the rest of what the verdict depends on
 * (mode, trust anchors, SAN matchers) is fixed for the trust manager that owns the cache. An entry is
 * only used while the clock is within the validity of <em>every</em> certificate of the chain (the
 * stricter of PKIX's date checks, which may skip a certificate it did not need), and for at most
 * {@link #MAX_AGE}, so that date-dependent JDK policy (algorithm constraints with {@code denyAfter}, CA
 * distrust dates) is re-applied at least that often. Only acceptances are cached: a refused chain is
 * checked in full every time and fails with the same reason and message.
 */
final class VerifiedChainCache {

    /** How long a verdict is reused at most. */
    static final Duration MAX_AGE = Duration.ofMinutes(1);

    private static final int MAX_ENTRIES = 256;

    private final Cache<Key, Validity> accepted;
    private final LongSupplier clock;

    VerifiedChainCache() {
        this(System::currentTimeMillis, Ticker.systemTicker());
    }

    /**
     * @param clock  the wall clock in epoch milliseconds (the one the validity dates are compared with)
     * @param ticker the monotonic time that {@link #MAX_AGE} is measured in
     */
    VerifiedChainCache(LongSupplier clock, Ticker ticker) {
        this.clock = Objects.requireNonNull(clock, "clock");
        // Maintenance runs on the calling event loop: no hop to the common pool for a tiny cache.
        this.accepted = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(MAX_AGE)
                .ticker(Objects.requireNonNull(ticker, "ticker"))
                .executor(Runnable::run)
                .build();
    }

    /** The cache key of a presented chain, or {@code null} when a certificate cannot be encoded. */
    static Key key(X509Certificate[] chain, String authType, String expectedName) {
        byte[][] der = new byte[chain.length][];
        try {
            for (int i = 0; i < chain.length; i++) {
                der[i] = chain[i].getEncoded();
            }
        } catch (CertificateEncodingException e) {
            return null;
        }
        return new Key(der, authType, expectedName);
    }

    /** Whether this exact chain was accepted before and the verdict still holds now. */
    boolean isAccepted(Key key) {
        Validity v = accepted.getIfPresent(key);
        return v != null && v.covers(clock.getAsLong());
    }

    /**
     * Remembers that {@code chain} (whose {@code key} it is) was just accepted.
     *
     * @param checkedDates whether the mode checks the chain, and so its dates; when it does not, the
     *                     verdict holds whatever the dates say
     */
    void accepted(Key key, X509Certificate[] chain, boolean checkedDates) {
        Validity validity = checkedDates ? Validity.of(chain) : Validity.ALWAYS;
        if (validity.covers(clock.getAsLong())) {
            accepted.put(key, validity);
        }
    }

    /** The time span (epoch milliseconds, both ends included) in which every certificate is valid. */
    record Validity(long notBefore, long notAfter) {
        static final Validity ALWAYS = new Validity(Long.MIN_VALUE, Long.MAX_VALUE);

        static Validity of(X509Certificate[] chain) {
            long from = Long.MIN_VALUE;
            long to = Long.MAX_VALUE;
            for (X509Certificate c : chain) {
                from = Math.max(from, c.getNotBefore().getTime());
                to = Math.min(to, c.getNotAfter().getTime());
            }
            return new Validity(from, to);
        }

        boolean covers(long now) {
            return now >= notBefore && now <= notAfter;
        }
    }

    /** A presented chain (DER, in order), its {@code authType} and the expected name; compared by content. */
    static final class Key {
        private final byte[][] der;
        private final String authType;
        private final String expectedName;
        private final int hash;

        Key(byte[][] der, String authType, String expectedName) {
            this.der = der;
            this.authType = authType;
            this.expectedName = expectedName;
            int h = Objects.hash(authType, expectedName);
            for (byte[] d : der) {
                h = 31 * h + Arrays.hashCode(d);
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Objects.equals(authType, k.authType)
                    && Objects.equals(expectedName, k.expectedName) && Arrays.deepEquals(der, k.der);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
