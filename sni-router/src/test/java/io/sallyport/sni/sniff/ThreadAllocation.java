package io.sallyport.sni.sniff;

import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bytes allocated per call of a piece of code after a warm-up (JIT-compiled), on a Netty thread as on an
 * event loop: Netty's thread-local scratch arrays (e.g. {@code ByteBuf.toString} of a direct buffer) are
 * allocated per call on any other thread.
 */
final class ThreadAllocation {

    private ThreadAllocation() {
    }

    /**
     * A direct buffer (as an event loop reads into) holding {@code bytes}, outside Netty's leak detector, whose
     * access records at the tests' paranoid level would be counted too.
     */
    static ByteBuf untrackedDirect(byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return Unpooled.wrappedBuffer(direct);
    }

    /** Skips the test where the JVM does not count allocation per thread. */
    static double bytesPerCall(int calls, Runnable call) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        CompletableFuture<Double> perCall = new CompletableFuture<>();
        Thread thread = new FastThreadLocalThread(() -> {
            try {
                for (int i = 0; i < 5_000; i++) {
                    call.run();
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < calls; i++) {
                    call.run();
                }
                perCall.complete((threads.getCurrentThreadAllocatedBytes() - before) / (double) calls);
            } catch (Throwable t) {
                perCall.completeExceptionally(t);
            }
        }, "allocation-probe");
        thread.start();
        return perCall.get(60, TimeUnit.SECONDS);
    }
}
