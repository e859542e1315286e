package io.sallyport.listeners.dns;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Hand-made DNS packets and plain-socket exchanges, for tests that need exact bytes. */
final class RawDns {

    private RawDns() {
    }

    static byte[] query(int id, String name, int type, boolean edns) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        try {
            out.writeShort(id);
            out.writeShort(0x0100); // RD
            out.writeShort(1);
            out.writeShort(0);
            out.writeShort(0);
            out.writeShort(edns ? 1 : 0);
            for (String label : name.split("\\.")) {
                if (label.isEmpty()) {
                    continue;
                }
                byte[] l = label.getBytes(StandardCharsets.US_ASCII);
                out.writeByte(l.length);
                out.write(l);
            }
            out.writeByte(0);
            out.writeShort(type);
            out.writeShort(1);
            if (edns) {
                out.writeByte(0);
                out.writeShort(41);
                out.writeShort(4096);
                out.writeInt(0);
                out.writeShort(0);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    /** Sends {@code packet} over UDP and waits (bounded) for one answer. */
    static ByteBuffer udp(InetSocketAddress server, byte[] packet, int timeoutMillis) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(timeoutMillis);
            s.send(new DatagramPacket(packet, packet.length, server));
            byte[] buf = new byte[4096];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            s.receive(in);
            return ByteBuffer.wrap(buf, 0, in.getLength()).slice();
        }
    }

    /** Sends length-prefixed {@code packet}s on one TCP connection and reads as many answers. */
    static ByteBuffer[] tcp(InetSocketAddress server, int timeoutMillis, byte[]... packets) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            for (byte[] p : packets) {
                out.writeShort(p.length);
                out.write(p);
            }
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            ByteBuffer[] answers = new ByteBuffer[packets.length];
            for (int i = 0; i < packets.length; i++) {
                byte[] a = new byte[in.readUnsignedShort()];
                in.readFully(a);
                answers[i] = ByteBuffer.wrap(a);
            }
            return answers;
        }
    }

    static int id(ByteBuffer m) {
        return m.getShort(0) & 0xffff;
    }

    static int flags(ByteBuffer m) {
        return m.getShort(2) & 0xffff;
    }

    static int rcode(ByteBuffer m) {
        return flags(m) & 0xF;
    }

    static boolean authoritative(ByteBuffer m) {
        return (flags(m) & 0x0400) != 0;
    }

    static int answers(ByteBuffer m) {
        return m.getShort(6) & 0xffff;
    }
}
