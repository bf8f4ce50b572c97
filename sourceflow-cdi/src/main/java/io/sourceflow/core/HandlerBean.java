package io.sourceflow.core;

/**
 * The bean a {@link io.sourceflow.Handles} method is called on, as the container provides it. The CDI extension
 * implements it over the container's bean; the core never sees the container's SPI.
 */
public interface HandlerBean {

    /** Whether one reference serves every call (a normal-scoped bean's client proxy), looked up once. */
    boolean shared();

    /** A reference to call the handler on; {@link Reference#release()} when the call has completed. */
    Reference reference();

    /** One reference to the bean and how to give it back. */
    interface Reference {

        /** The bean instance (or client proxy). */
        Object instance();

        /** Destroys what the lookup created (a {@code @Dependent} bean); nothing for shared references. */
        void release();
    }
}
