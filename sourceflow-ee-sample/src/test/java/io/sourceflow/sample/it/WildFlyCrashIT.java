package io.sourceflow.sample.it;

/** {@link OutboxCrashContract} on WildFly: each start is a fresh copy of the server, configured and deployed anew. */
class WildFlyCrashIT extends OutboxCrashContract {

    @Override
    String kind() {
        return "WildFly";
    }

    @Override
    void requireServer() {
        WildFlyServer.home();
    }

    @Override
    SampleServer start(String name, SampleServer.Settings settings) throws Exception {
        return WildFlyServer.start(settings);
    }
}
