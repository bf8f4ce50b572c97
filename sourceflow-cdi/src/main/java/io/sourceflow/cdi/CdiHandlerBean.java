package io.sourceflow.cdi;

import io.sourceflow.core.HandlerBean;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;

/**
 * A handler's bean as the container manages it: a normal-scoped bean is called through its client proxy (looked up
 * once), a {@code @Dependent} bean is created per message and destroyed when its handler completed.
 */
record CdiHandlerBean(Bean<?> bean, BeanManager beanManager) implements HandlerBean {

    @Override
    public boolean shared() {
        return beanManager.isNormalScope(bean.getScope());
    }

    @Override
    public Reference reference() {
        CreationalContext<?> creationalContext = beanManager.createCreationalContext(bean);
        Object instance = beanManager.getReference(bean, Object.class, creationalContext);
        return new Reference() {
            @Override
            public Object instance() {
                return instance;
            }

            @Override
            public void release() {
                creationalContext.release();
            }
        };
    }
}
