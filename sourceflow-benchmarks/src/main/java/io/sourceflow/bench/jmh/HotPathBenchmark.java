package io.sourceflow.bench.jmh;

import io.sourceflow.bench.HotPath;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * CPU per message on SourceFlow's hot path: encode (send side) plus decode (receive side) of one 1 KB command,
 * plaintext and encrypted with a cached data key. Run by {@code BenchmarkSuite}, or alone:
 * {@code java -cp <classpath> org.openjdk.jmh.Main HotPathBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotPathBenchmark {

    @Param({"plaintext", "encrypted"})
    public String data;

    /** The {@code payload} length that makes the plaintext body 1 KB (set by the suite). */
    @Param({"800"})
    public int payloadChars;

    private HotPath hotPath;
    private Object message;
    private String encodedBody;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        hotPath = new HotPath("encrypted".equals(data));
        message = HotPath.sampleCommand(payloadChars);
        encodedBody = hotPath.encode(message, "entity-07").body();
        hotPath.decode(encodedBody); // caches the data key on the receiving side
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hotPath.close();
    }

    /** Send side and receive side of one message. */
    @Benchmark
    public Object encodeDecode() throws Exception {
        return hotPath.decode(hotPath.encode(message, "entity-07").body());
    }

    /** Send side only. */
    @Benchmark
    public Object encode() {
        return hotPath.encode(message, "entity-07");
    }

    /** Receive side only. */
    @Benchmark
    public Object decode() throws Exception {
        return hotPath.decode(encodedBody);
    }
}
