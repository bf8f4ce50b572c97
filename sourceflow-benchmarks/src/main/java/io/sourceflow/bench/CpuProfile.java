package io.sourceflow.bench;

import one.profiler.AsyncProfiler;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Diagnostic: an async-profiler CPU profile of the measured throughput runs only (after the warm-up), asked for with
 * {@code -Dbench.profile=<file>} and written there as collapsed stacks with thread names (one line per stack, the
 * input of flame-graph tools). Off unless asked for.
 */
final class CpuProfile implements AutoCloseable {

    private final AsyncProfiler profiler;
    private final Path file;

    private CpuProfile(AsyncProfiler profiler, Path file) {
        this.profiler = profiler;
        this.file = file;
    }

    /** Starts profiling if {@code bench.profile} names a file; otherwise a profile that does nothing. */
    static CpuProfile startIfRequested() throws IOException {
        String file = System.getProperty("bench.profile", "").trim();
        if (file.isEmpty()) {
            return new CpuProfile(null, null);
        }
        return start(file);
    }

    /** Starts profiling into {@code file} (written at {@link #close()}). */
    static CpuProfile start(String file) throws IOException {
        AsyncProfiler profiler = AsyncProfiler.getInstance();
        // cpu (perf events) where the kernel allows it, else itimer
        String event = System.getProperty("bench.profile-event", "cpu"); // wall: where threads wait, too
        try {
            profiler.execute("start,event=" + event + ",interval=1ms,threads");
        } catch (IllegalStateException | IOException e) {
            profiler.execute("start,event=itimer,interval=1ms,threads");
        }
        BenchmarkSuite.log("async-profiler started; the profile goes to %s", file);
        return new CpuProfile(profiler, Path.of(file).toAbsolutePath());
    }

    @Override
    public void close() throws IOException {
        if (profiler != null) {
            profiler.execute("stop,collapsed,file=" + file);
            BenchmarkSuite.log("wrote the CPU profile of the measured runs to %s", file);
        }
    }
}
