package io.sallyport.egress.identity;

import java.security.cert.CertificateException;

/** A peer certificate chained to the mesh CA but without the SPIFFE ID this side requires. */
public final class SpiffeSanException extends CertificateException {

    private static final long serialVersionUID = 1L;

    public SpiffeSanException(String message) {
        super(message);
    }
}
