package io.sourceflow.idempotency.jpa;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;

/** Narayana's transaction manager in this JVM, with its object store under target/. */
final class NarayanaJta {

    private static final TransactionManager TM = init();

    private NarayanaJta() {
    }

    static TransactionManager transactionManager() {
        return TM;
    }

    private static TransactionManager init() {
        String dir = System.getProperty("narayana.store.dir", "target/narayana-store");
        BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore").setObjectStoreDir(dir);
        BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "stateStore").setObjectStoreDir(dir);
        try {
            BeanPopulator.getDefaultInstance(CoreEnvironmentBean.class).setNodeIdentifier("sourceflow-test");
        } catch (com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException e) {
            throw new IllegalStateException(e);
        }
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }
}
