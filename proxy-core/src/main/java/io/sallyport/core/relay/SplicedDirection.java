package io.sallyport.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.FileRegion;
import io.netty.channel.epoll.EpollSpliceHook;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.function.IntConsumer;

/**
 * One direction of a TCP session moved with {@code splice(2)}: source socket → pipe → target socket, the
 * bytes never copied into the JVM. Installed on two epoll TCP channels on one event loop, after any bytes
 * the proxy had already read were written to the target.
 *
 * <h3>Writing in order</h3>
 * Bytes leave the pipe only through a {@link FileRegion} written to the target channel, so they take their
 * place in the target's outbound queue: after what was written before (bytes a sniffer read), before the
 * empty write that marks a half-close. The region's length grows while it is queued: when the target
 * drains it, it refills the pipe from the source, and it ends once the pipe is empty and the source has
 * nothing more. One region is queued at a time.
 *
 * <h3>Flow control</h3>
 * The source runs with auto-read on while no region is queued: each read readiness fills the pipe and
 * writes a region, which usually drains at once. While a region waits for the target, the source's auto-read
 * is off (read interest dropped); the region refills from the source as the target drains, and turns
 * auto-read back on when done. The proxy holds at most one pipe (256 KiB, see {@link PipeSize}) per direction.
 *
 * <h3>End of stream</h3>
 * When the source's peer half-closes, what the source socket still holds beyond the pipe is read into
 * buffers queued behind the region (see {@link #drain()}); then Netty shuts the source's input down and
 * fires {@code ChannelInputShutdownEvent}, and the relay shuts the target's output down behind all of it.
 * The pipe lives until both channels are closed, so a closed source's last bytes still reach the target.
 *
 * <h3>Counting</h3>
 * Every splice into the pipe is counted at once (bytes read from the source), like a read of the buffer
 * relay, and every splice out of it is noted as a write (for the idle timeout); an error while splicing
 * closes both channels, like a failed write.
 */
final class SplicedDirection implements EpollSpliceHook.Reader {

    /** Bytes one region call moves before giving the event loop back (Netty then calls it again or later). */
    private static final int MAX_PER_TRANSFER = 512 * 1024;
    /** Buffer size for what is left in the source socket at its end of stream. */
    private static final int DRAIN_CHUNK = 64 * 1024;

    private final Channel source;
    private final Channel target;
    private final IntConsumer received;
    private final Runnable sent;
    private final ChannelFutureListener regionDone;
    private final ChannelFutureListener closeBothOnFailure;
    private final int sourceFd;
    private final int targetFd;
    private FileDescriptor pipeRead;
    private FileDescriptor pipeWrite;
    private int inPipe;
    /** A splice into the pipe moves at most this much. */
    private int pipeSize;
    private PipeRegion queued;
    private boolean closed;

    /**
     * @param received counts bytes read from {@code source}
     * @param sent notes that bytes left the pipe for {@code target}
     */
    SplicedDirection(Channel source, Channel target, IntConsumer received, Runnable sent) {
        this.source = source;
        this.target = target;
        this.received = received;
        this.sent = sent;
        this.sourceFd = EpollSpliceHook.fd(source);
        this.targetFd = EpollSpliceHook.fd(target);
        this.closeBothOnFailure = f -> {
            if (!f.isSuccess()) {
                source.close();
                target.close();
            }
        };
        this.regionDone = f -> {
            queued = null;
            if (!f.isSuccess()) {
                source.close();
                target.close();
            } else if (!inputShutdown(source)) {
                source.config().setAutoRead(true);
            }
        };
        // The pipe may still hold bytes for the target when the source closes: kept until both are closed.
        source.closeFuture().addListener(f -> channelClosed());
        target.closeFuture().addListener(f -> channelClosed());
    }

    /** Starts taking the source's reads. Call on the event loop. */
    void start() {
        if (!source.isActive() || !target.isActive()) {
            return;
        }
        EpollSpliceHook.install(source, this);
        if (!inputShutdown(source)) {
            // Auto-read on: Netty keeps read interest between readiness calls (see flow control above).
            source.config().setAutoRead(true);
        }
    }

    @Override
    public void readable(boolean peerHalfClosed) {
        if (closed || !target.isActive()) {
            source.config().setAutoRead(false);
            return;
        }
        if (peerHalfClosed || queued != null) {
            // With the input shut down (next) a level-triggered read readiness would never stop; while a
            // region waits for the target, it refills the pipe itself.
            source.config().setAutoRead(false);
        }
        try {
            if (queued != null && !peerHalfClosed) {
                // Read interest is off, so this is an error report: take it, or epoll keeps reporting it.
                EpollSpliceHook.checkError(source);
            }
            if (queued == null) {
                fill();
                if (inPipe > 0) {
                    PipeRegion region = new PipeRegion();
                    queued = region;
                    target.writeAndFlush(region).addListener(regionDone);
                    if (queued != null) {
                        // The target is full: no read interest until the region is done.
                        source.config().setAutoRead(false);
                    }
                }
            }
            if (peerHalfClosed) {
                drain();
            }
        } catch (IOException e) {
            source.pipeline().fireExceptionCaught(e);
        }
    }

    /**
     * Reads what the source socket still holds after its peer's FIN into buffers queued behind the region,
     * as the buffer relay does at a half-close: the socket is then empty when its input is shut down, and
     * can be closed as soon as its output is shut down too (an open socket shut both ways would make epoll
     * report a hang-up that Netty does not handle, over and over).
     */
    private void drain() throws IOException {
        ByteBufAllocator alloc = source.alloc();
        boolean wrote = false;
        for (;;) {
            ByteBuf buf = alloc.directBuffer(DRAIN_CHUNK);
            int n;
            try {
                n = EpollSpliceHook.read(source, buf);
            } catch (IOException e) {
                buf.release();
                throw e;
            }
            if (n <= 0) {
                buf.release();
                break;
            }
            received.accept(n);
            target.write(buf).addListener(closeBothOnFailure);
            wrote = true;
        }
        if (wrote) {
            target.flush();
        }
    }

    /** Splices what the source has into the pipe, as far as it takes it; returns the bytes moved. */
    private int fill() throws IOException {
        if (!source.isOpen()) {
            // Its descriptor number may already belong to another file.
            return 0;
        }
        if (pipeRead == null) {
            FileDescriptor[] pipe = EpollSpliceHook.pipe();
            pipeRead = pipe[0];
            pipeWrite = pipe[1];
            pipeSize = PipeSize.grow(pipeWrite.intValue());
        }
        int total = 0;
        while (inPipe < pipeSize) {
            int n = EpollSpliceHook.splice(sourceFd, pipeWrite.intValue(), pipeSize - inPipe);
            if (n <= 0) {
                break;
            }
            inPipe += n;
            total += n;
        }
        if (total > 0) {
            received.accept(total);
        }
        return total;
    }

    private static boolean inputShutdown(Channel ch) {
        return ch instanceof DuplexChannel d && d.isInputShutdown();
    }

    private void channelClosed() {
        if (closed || source.isOpen() || target.isOpen()) {
            return;
        }
        closed = true;
        closeQuietly(pipeRead);
        closeQuietly(pipeWrite);
    }

    private static void closeQuietly(FileDescriptor fd) {
        if (fd != null) {
            try {
                fd.close();
            } catch (IOException ignored) {
                // Nothing to do: the descriptor is gone either way.
            }
        }
    }

    /**
     * The pipe's bytes, queued in the target's outbound buffer. {@link #count()} is what it moved plus what
     * is in the pipe: Netty removes it once everything was moved and the source had nothing more.
     */
    private final class PipeRegion extends AbstractReferenceCounted implements FileRegion {
        private long transferred;

        @Override
        public long position() {
            return 0;
        }

        @Override
        @Deprecated
        public long transfered() {
            return transferred;
        }

        @Override
        public long transferred() {
            return transferred;
        }

        @Override
        public long count() {
            return transferred + inPipe;
        }

        @Override
        public long transferTo(WritableByteChannel ignored, long position) throws IOException {
            if (closed) {
                throw new IOException("splice pipe closed");
            }
            long moved = 0;
            for (;;) {
                // Refilled before leaving too: an empty pipe tells Netty the region is done.
                if (inPipe == 0 && fill() == 0 || moved >= MAX_PER_TRANSFER) {
                    break;
                }
                int n = EpollSpliceHook.splice(pipeRead.intValue(), targetFd, inPipe);
                if (n <= 0) {
                    break;
                }
                inPipe -= n;
                moved += n;
            }
            if (moved > 0) {
                transferred += moved;
                sent.run();
            }
            return moved;
        }

        @Override
        protected void deallocate() {
            // The pipe belongs to the direction and outlives the region.
        }

        @Override
        public PipeRegion retain() {
            super.retain();
            return this;
        }

        @Override
        public PipeRegion retain(int increment) {
            super.retain(increment);
            return this;
        }

        @Override
        public PipeRegion touch() {
            return this;
        }

        @Override
        public PipeRegion touch(Object hint) {
            return this;
        }
    }
}
