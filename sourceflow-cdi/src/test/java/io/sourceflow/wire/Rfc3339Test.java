package io.sourceflow.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3339 date-times parse as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} reads them; other forms are errors. */
class Rfc3339Test {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-26T08:00:00Z", "2026-11-26T08:00:00.1Z", "2026-11-26T08:00:00.123Z",
            "2026-11-26T08:00:00.123456Z", "2026-11-26T08:00:00.123456789Z", "2026-11-26t08:00:00z",
            "2026-11-26T10:00:00.5+02:00", "2026-11-26T02:30:00-05:30", "2024-02-29T23:59:59.999999999+18:00",
            "2026-11-26T08:00:00-18:00", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999Z", "2026-11-26T08:00:00-00:00"})
    void parsesAsTheGeneralParserDoes(String text) {
        assertThat(Rfc3339.parse(text)).isEqualTo(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
    }

    @Test
    void keepsNineFractionDigitsAndCutsOffTheRest() {
        assertThat(Rfc3339.parse("2026-11-26T08:00:00.1234567899999Z")).isEqualTo(Instant.parse("2026-11-26T08:00:00.123456789Z"));
        assertThat(Rfc3339.parse("2026-11-26T08:00:00.0000000001+01:00")).isEqualTo(Instant.parse("2026-11-26T07:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-26T08:00Z", "2026-11-26T08:00:00", "2026-11-26T08:00:00.Z", "2026-11-26T08:00:00.",
            "2026-11-26 08:00:00Z", "+12026-11-26T08:00:00Z", "2026-11-26T08:00:00+0200", "2026-11-26T08:00:00+02",
            "2026-11-26T08:00:00+02:00:30", "2026-1x-26T08:00:00Z", "yesterday, around noon!", "2026-11-26T08:00:00Z ",
            "2026-11-26T08:00:00Z\n", "2026-11-26T08:00:00.5.5Z", "2026-11-26T08:00:00+02:60", "\u0662026-11-26T08:00:00Z"})
    void otherFormsAreErrors(String text) {
        assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(DateTimeException.class)
                .hasMessage("not an RFC 3339 date-time");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-13-26T08:00:00Z", "2026-02-30T08:00:00Z", "2026-02-29T08:00:00Z", "2026-11-26T24:00:00Z",
            "2026-11-26T08:60:00Z", "2026-11-26T08:00:60Z", "2016-12-31T23:59:60Z", "2026-11-26T08:00:00+18:30",
            "2026-11-26T08:00:00+19:00"})
    void outOfRangeFieldsAreErrors(String text) {
        assertThatThrownBy(() -> Rfc3339.parse(text)).isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)).isInstanceOf(DateTimeException.class);
    }
}
