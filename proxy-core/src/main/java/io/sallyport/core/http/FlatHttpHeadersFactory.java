package io.sallyport.core.http;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Objects;

/**
 * Makes {@link FlatHttpHeaders} for Netty's HTTP/1.x decoders ({@code HttpDecoderConfig.setHeadersFactory} /
 * {@code setTrailersFactory}), validating names and values exactly as the {@link DefaultHttpHeadersFactory} it
 * is made from (same validators, same exceptions).
 */
public final class FlatHttpHeadersFactory implements HttpHeadersFactory {

    /** As {@link DefaultHttpHeadersFactory#headersFactory()}: names and values validated. */
    public static final FlatHttpHeadersFactory HEADERS = of(DefaultHttpHeadersFactory.headersFactory());
    /** As {@link DefaultHttpHeadersFactory#trailersFactory()}: also refuses the fields a trailer may not carry. */
    public static final FlatHttpHeadersFactory TRAILERS = of(DefaultHttpHeadersFactory.trailersFactory());

    private final DefaultHeaders.NameValidator<CharSequence> nameValidator;
    private final DefaultHeaders.ValueValidator<CharSequence> valueValidator;

    private FlatHttpHeadersFactory(DefaultHeaders.NameValidator<CharSequence> nameValidator,
                                   DefaultHeaders.ValueValidator<CharSequence> valueValidator) {
        this.nameValidator = nameValidator;
        this.valueValidator = valueValidator;
    }

    /**
     * The flat equivalent of {@code factory}, with its validators. A combining factory (one field per name,
     * values joined by commas) has no flat equivalent: the caller keeps it (see {@link #canReplace}).
     */
    public static FlatHttpHeadersFactory of(DefaultHttpHeadersFactory factory) {
        Objects.requireNonNull(factory, "factory");
        if (factory.isCombiningHeaders()) {
            throw new IllegalArgumentException("combining headers have no flat equivalent");
        }
        return new FlatHttpHeadersFactory(factory.getNameValidator(), factory.getValueValidator());
    }

    /** Whether {@link #of} can stand in for {@code factory}: a non-combining {@link DefaultHttpHeadersFactory}. */
    public static boolean canReplace(HttpHeadersFactory factory) {
        return factory instanceof DefaultHttpHeadersFactory f && !f.isCombiningHeaders();
    }

    DefaultHeaders.NameValidator<CharSequence> nameValidator() {
        return nameValidator;
    }

    DefaultHeaders.ValueValidator<CharSequence> valueValidator() {
        return valueValidator;
    }

    /** Whether headers of {@code other} passed the checks this factory's would make (fields copy over as they are). */
    boolean validatesAs(FlatHttpHeadersFactory other) {
        return other == this || other.nameValidator == nameValidator && other.valueValidator == valueValidator;
    }

    @Override
    public HttpHeaders newHeaders() {
        return new FlatHttpHeaders(this);
    }

    /** The same as {@link #newHeaders()}: an empty flat map costs no more than the object (its array comes with a field). */
    @Override
    public HttpHeaders newEmptyHeaders() {
        return new FlatHttpHeaders(this);
    }
}
