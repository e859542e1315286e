package io.sallyport.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StderrLoggingProviderTest {

    @Test
    void timestampsAreUtcUnlessTzOrUserTimezoneNamesAZone() {
        assertThat(StderrLoggingProvider.zone(null, null)).isEqualTo(ZoneOffset.UTC);
        assertThat(StderrLoggingProvider.zone("", "")).isEqualTo(ZoneOffset.UTC);
        assertThat(StderrLoggingProvider.zone("Europe/Berlin", null)).isEqualTo(ZoneId.systemDefault());
        assertThat(StderrLoggingProvider.zone(null, "Asia/Tokyo")).isEqualTo(ZoneId.systemDefault());
    }
}
