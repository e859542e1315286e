package io.sallyport.core.pem;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/** Splits PEM text into its blocks (type, headers, DER content), ignoring text between blocks. */
final class PemBlocks {

    private PemBlocks() {
    }

    static List<PemObject> read(byte[] pem, String expected) throws PemException {
        if (pem == null || pem.length == 0) {
            throw new PemException("empty: expected a PEM \"-----BEGIN " + expected + "-----\" block");
        }
        String text = new String(pem, StandardCharsets.UTF_8);
        if (!text.contains("-----BEGIN ")) {
            throw new PemException("not PEM: no \"-----BEGIN " + expected + "-----\" block found");
        }
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(text))) {
            PemObject block;
            while ((block = reader.readPemObject()) != null) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports a missing END line as IOException and bad base64 as a DecoderException.
            throw new PemException("malformed PEM: " + e.getMessage(), e);
        }
        if (blocks.isEmpty()) {
            throw new PemException("not PEM: no complete \"-----BEGIN " + expected + "-----\" block found");
        }
        return blocks;
    }
}
