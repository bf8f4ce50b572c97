package io.sourceflow.sample;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.math.BigDecimal;

/**
 * The body of {@code POST /api/orders}: {@code {"customer": "alice", "total": 42.50}}, read and validated by
 * {@link OrderRequestReader}.
 *
 * @param customer who orders: 1-200 characters
 * @param total    the amount: 0.01 to 1,000,000.00, at most two decimals
 */
public record OrderRequest(
        @NotBlank @Size(max = 200) String customer,
        @NotNull @DecimalMin("0.01") @DecimalMax("1000000.00") @Digits(integer = 7, fraction = 2) BigDecimal total) {
}
