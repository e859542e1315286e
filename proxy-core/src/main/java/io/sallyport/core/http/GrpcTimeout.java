package io.sallyport.core.http;

/** Parses gRPC's {@code grpc-timeout} header: 1 to 8 digits and a unit (H, M, S, m, u, n). */
final class GrpcTimeout {

    private GrpcTimeout() {
    }

    /** The timeout in nanoseconds, or -1 when absent or malformed (then it is ignored, as gRPC servers do). */
    static long parseNanos(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        long unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> 3_600_000_000_000L;
            case 'M' -> 60_000_000_000L;
            case 'S' -> 1_000_000_000L;
            case 'm' -> 1_000_000L;
            case 'u' -> 1_000L;
            case 'n' -> 1L;
            default -> -1;
        };
        if (unit < 0) {
            return -1;
        }
        return n > Long.MAX_VALUE / unit ? Long.MAX_VALUE : n * unit;
    }
}
