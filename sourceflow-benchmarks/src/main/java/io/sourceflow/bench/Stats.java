package io.sourceflow.bench;

import java.util.Arrays;
import java.util.List;

/** Median and spread of repeated measurements; percentiles of sorted samples. */
record Stats(double median, double min, double max, int n) {

    static Stats of(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Stats(median, v[0], v[v.length - 1], v.length);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Spread as a fraction of the median: (max - min) / median. */
    double spread() {
        return median == 0 ? 0 : (max - min) / median;
    }

    String format(String pattern) {
        return String.format(pattern, median) + " (" + String.format(pattern, min) + "–" + String.format(pattern, max) + ")";
    }

    @Override
    public String toString() {
        return Arrays.toString(new double[]{median, min, max});
    }
}
