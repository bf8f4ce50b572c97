package io.sourceflow.sample.it;

/** {@link OutboxCrashContract} on Open Liberty. */
class LibertyCrashIT extends OutboxCrashContract {

    @Override
    String kind() {
        return "Liberty";
    }

    @Override
    void requireServer() {
        LibertyServer.home();
    }

    @Override
    SampleServer start(String name, SampleServer.Settings settings) throws Exception {
        return LibertyServer.start(name, settings);
    }
}
