package io.spindle.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workloads in every rendering of k8s/: image, ports, probes, resources, restricted security context,
 * writable volumes, Kafka bootstrap and credentials, and config keys, each against the service's sources.
 */
class WorkloadTest {

    private static Stream<DynamicTest> perServiceAndVariant(Check check) {
        return K8s.all().flatMap(k8s -> Arrays.stream(SpindleService.values()).map(s ->
                DynamicTest.dynamicTest(k8s.variant + " " + s.shortName, () -> check.run(k8s, s, new Workload(k8s, s)))));
    }

    @FunctionalInterface
    interface Check {
        void run(K8s k8s, SpindleService s, Workload w);
    }

    /** The pod template of a service's workload (StatefulSet for the trainer, Deployment otherwise). */
    record Workload(K8s k8s, SpindleService s, PodSpec pod, Container container, Map<String, String> env,
                    Map<String, EnvVar> envRefs) {

        Workload(K8s k8s, SpindleService s) {
            this(k8s, s, podSpec(k8s, s));
        }

        private Workload(K8s k8s, SpindleService s, PodSpec pod) {
            this(k8s, s, pod, container(pod, s), new LinkedHashMap<>(), new LinkedHashMap<>());
            for (EnvFromSource from : container.getEnvFrom()) {
                assertNotNull(from.getConfigMapRef(), s.shortName + ": envFrom only from ConfigMaps");
                env.putAll(k8s.get(ConfigMap.class, from.getConfigMapRef().getName()).getData());
            }
            for (EnvVar var : container.getEnv()) {
                if (var.getValueFrom() != null) {
                    envRefs.put(var.getName(), var);
                } else {
                    env.put(var.getName(), var.getValue());
                }
            }
        }

        private static PodSpec podSpec(K8s k8s, SpindleService s) {
            if (s == SpindleService.TRAINER) {
                return k8s.get(StatefulSet.class, s.shortName).getSpec().getTemplate().getSpec();
            }
            return k8s.get(Deployment.class, s.shortName).getSpec().getTemplate().getSpec();
        }

        private static Container container(PodSpec pod, SpindleService s) {
            assertEquals(1, pod.getContainers().size(), s.shortName + ": one container");
            Container c = pod.getContainers().get(0);
            assertEquals(s.shortName, c.getName(), "container name");
            return c;
        }

        Set<String> envNames() {
            Set<String> names = new TreeSet<>(env.keySet());
            names.addAll(envRefs.keySet());
            return names;
        }

        Set<String> mounts() {
            return container.getVolumeMounts().stream().map(VolumeMount::getMountPath)
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        /** A container port by name or number, as probes and Services reference it. */
        int port(IntOrString ref) {
            if (ref.getIntVal() != null) {
                return ref.getIntVal();
            }
            return container.getPorts().stream().filter(p -> ref.getStrVal().equals(p.getName()))
                    .map(ContainerPort::getContainerPort).findFirst()
                    .orElseThrow(() -> new AssertionError(s.shortName + ": no container port named " + ref.getStrVal()));
        }
    }

    @TestFactory
    Stream<DynamicTest> imageAndPortsMatchTheService() {
        return perServiceAndVariant((k8s, s, w) -> {
            assertEquals(s.image(), w.container().getImage(), "image");
            assertEquals(List.of(s.httpPort()), w.container().getPorts().stream().map(ContainerPort::getContainerPort).toList(),
                    s.shortName + ": container port = quarkus.http.port");
            Service service = k8s.get(Service.class, s.shortName);
            ServicePort port = service.getSpec().getPorts().get(0);
            assertEquals(s.httpPort(), port.getPort(), s.shortName + " Service port");
            assertEquals(s.httpPort(), w.port(port.getTargetPort()), s.shortName + " Service targetPort");
            Map<String, String> podLabels = s == SpindleService.TRAINER
                    ? k8s.get(StatefulSet.class, s.shortName).getSpec().getTemplate().getMetadata().getLabels()
                    : k8s.get(Deployment.class, s.shortName).getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                    s.shortName + " Service selects its pods");
        });
    }

    @TestFactory
    Stream<DynamicTest> probesAreQuarkusHealthChecks() {
        return perServiceAndVariant((k8s, s, w) -> {
            assertProbe(w, w.container().getLivenessProbe(), "/q/health/live", "liveness");
            assertProbe(w, w.container().getReadinessProbe(), "/q/health/ready", "readiness");
            if (w.container().getStartupProbe() != null) {
                assertProbe(w, w.container().getStartupProbe(), "/q/health/live", "startup");
            }
        });
    }

    private static void assertProbe(Workload w, Probe probe, String path, String what) {
        assertNotNull(probe, w.s().shortName + ": " + what + " probe");
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, w.s().shortName + ": " + what + " probe is an HTTP GET");
        assertEquals(path, get.getPath(), w.s().shortName + ": " + what + " path");
        assertEquals(w.s().httpPort(), w.port(get.getPort()), w.s().shortName + ": " + what + " port");
    }

    @TestFactory
    Stream<DynamicTest> resourcesAndRestrictedSecurityContext() {
        return perServiceAndVariant((k8s, s, w) -> {
            var resources = w.container().getResources();
            assertTrue(resources.getRequests().containsKey("cpu") && resources.getRequests().containsKey("memory"),
                    s.shortName + ": cpu and memory requests");
            assertTrue(resources.getLimits().containsKey("memory"), s.shortName + ": a memory limit");

            PodSecurityContext pod = w.pod().getSecurityContext();
            SecurityContext c = w.container().getSecurityContext();
            assertNotNull(c, s.shortName + ": container securityContext");
            String where = k8s.variant + " " + s.shortName + ": ";
            assertTrue(Boolean.TRUE.equals(c.getRunAsNonRoot()) || pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot()),
                    where + "runAsNonRoot");
            assertEquals(Boolean.TRUE, c.getReadOnlyRootFilesystem(), where + "readOnlyRootFilesystem");
            assertEquals(Boolean.FALSE, c.getAllowPrivilegeEscalation(), where + "allowPrivilegeEscalation");
            assertEquals(List.of("ALL"), c.getCapabilities().getDrop(), where + "capabilities drop ALL");
            assertTrue(c.getCapabilities().getAdd() == null || c.getCapabilities().getAdd().isEmpty(), where + "no capabilities added");
            String seccomp = c.getSeccompProfile() != null ? c.getSeccompProfile().getType()
                    : pod != null && pod.getSeccompProfile() != null ? pod.getSeccompProfile().getType() : null;
            assertEquals("RuntimeDefault", seccomp, where + "seccomp");
            if (pod != null && pod.getRunAsUser() != null) {
                assertTrue(pod.getRunAsUser() > 0, where + "non-root uid");
            }
            assertTrue(w.pod().getHostNetwork() == null || !w.pod().getHostNetwork(), where + "no host network");
        });
    }

    @TestFactory
    Stream<DynamicTest> writableDirsAreVolumesAndConfigKeysExist() {
        return perServiceAndVariant((k8s, s, w) -> {
            String where = "k8s/" + k8s.variant + " " + s.shortName;
            Set<String> volumes = w.pod().getVolumes().stream().map(v -> v.getName()).collect(Collectors.toSet());
            if (s == SpindleService.TRAINER) {
                k8s.get(StatefulSet.class, "trainer").getSpec().getVolumeClaimTemplates()
                        .forEach(t -> volumes.add(t.getMetadata().getName()));
            }
            w.pod().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null).forEach(v ->
                    k8s.get(PersistentVolumeClaim.class, v.getPersistentVolumeClaim().getClaimName()));
            w.container().getVolumeMounts().forEach(m ->
                    assertTrue(volumes.contains(m.getName()), where + ": mount of unknown volume " + m.getName()));
            Deployments.assertWritableDirsAndDjl(s, w.env(), w.mounts(), where);
            Deployments.assertKnownSpindleKeys(s, w.envNames(), where);
        });
    }

    @TestFactory
    Stream<DynamicTest> kafkaBootstrapAndCredentialsAreTheServicesOwn() {
        return perServiceAndVariant((k8s, s, w) -> {
            String where = "k8s/" + k8s.variant + " " + s.shortName + ": ";
            assertEquals(k8s.bootstrapServers(), w.env().get("KAFKA_BOOTSTRAP_SERVERS"), where + "bootstrap");
            // Streams services configure their client through Quarkus' kafka-streams keys, the others
            // through the kafka.* defaults every Quarkus Kafka client reads.
            String prefix = s.streamsApplicationId().isPresent() ? "QUARKUS_KAFKA_STREAMS_" : "KAFKA_";
            String protocol = Boolean.TRUE.equals(k8s.clientListener().isTls()) ? "SASL_SSL" : "SASL_PLAINTEXT";
            assertEquals(protocol, w.env().get(prefix + "SECURITY_PROTOCOL"), where + "security protocol");
            assertEquals("SCRAM-SHA-512", w.env().get(prefix + "SASL_MECHANISM"), where + "SASL mechanism");
            EnvVar jaas = w.envRefs().get(prefix + "SASL_JAAS_CONFIG");
            assertNotNull(jaas, where + prefix + "SASL_JAAS_CONFIG from the KafkaUser's Secret");
            SecretKeySelector secret = jaas.getValueFrom().getSecretKeyRef();
            assertEquals(s.kafkaUser(), secret.getName(), where + "the service's own KafkaUser Secret");
            assertEquals("sasl.jaas.config", secret.getKey(), where + "Strimzi's key");
            KafkaUser user = k8s.get(KafkaUser.class, s.kafkaUser());
            assertEquals("scram-sha-512", user.getSpec().getAuthentication().getType(), where + "user authentication");
        });
    }

    /** A Streams service with interactive queries across replicas advertises its pod's own address. */
    @TestFactory
    Stream<DynamicTest> streamsReplicasAdvertiseTheirPodAddress() {
        return perServiceAndVariant((k8s, s, w) -> {
            String server = s.properties().getProperty("kafka-streams.application.server");
            if (server == null) {
                return;
            }
            java.util.regex.Matcher host = java.util.regex.Pattern.compile("^\\$\\{([^}]+)}:").matcher(server);
            assertTrue(host.find(), s.module + ": application.server's host is a config key: " + server);
            EnvVar advertised = w.envRefs().get(SpindleService.envName(host.group(1)));
            assertNotNull(advertised, k8s.variant + " " + s.shortName + ": sets " + host.group(1));
            assertEquals("status.podIP", advertised.getValueFrom().getFieldRef().getFieldPath(),
                    k8s.variant + " " + s.shortName + ": advertises its pod IP");
        });
    }

    @TestFactory
    Stream<DynamicTest> theTrainerIsAStatefulSetWithCheckpointsAndItsPodNameAsWorker() {
        return K8s.all().map(k8s -> DynamicTest.dynamicTest(k8s.variant, () -> {
            StatefulSet trainer = k8s.get(StatefulSet.class, "trainer");
            Workload w = new Workload(k8s, SpindleService.TRAINER);
            assertTrue(trainer.getSpec().getVolumeClaimTemplates().stream()
                    .anyMatch(t -> t.getMetadata().getName().equals("checkpoints")), "a checkpoints PVC per replica");
            String mount = w.container().getVolumeMounts().stream().filter(m -> m.getName().equals("checkpoints"))
                    .map(VolumeMount::getMountPath).findFirst().orElseThrow(() -> new AssertionError("checkpoints mounted"));
            assertEquals(mount, w.env().get("SPINDLE_TRAINER_CHECKPOINT_DIR"), "the trainer writes checkpoints to its PVC");
            assertEquals("metadata.name", w.envRefs().get("SPINDLE_TRAINER_WORKER").getValueFrom().getFieldRef().getFieldPath(),
                    "worker id = pod name (trainer-0, trainer-1, ...)");
            String group = w.env().get(SpindleService.envName(SpindleService.TRAINER.groupIdKey().orElseThrow()));
            assertTrue(SpindleService.TRAINER.consumerGroups().contains(group),
                    "trainer group " + group + " = the service's " + SpindleService.TRAINER.consumerGroups());
            assertEquals(trainer.getSpec().getServiceName(), k8s.get(Service.class, trainer.getSpec().getServiceName())
                    .getMetadata().getName(), "its governing Service exists");
            assertEquals("None", k8s.get(Service.class, trainer.getSpec().getServiceName()).getSpec().getClusterIP(),
                    "headless");
        }));
    }

    @TestFactory
    Stream<DynamicTest> theGpuOverlayPutsDjlServicesOnGpuNodesOnly() {
        K8s gpu = K8s.rendered("overlays/gpu");
        return Arrays.stream(SpindleService.values()).map(s -> DynamicTest.dynamicTest(s.shortName, () -> {
            Workload w = new Workload(gpu, s);
            boolean wantsGpu = s.runsDjlEngine();
            var limits = w.container().getResources().getLimits();
            assertEquals(wantsGpu, limits.containsKey("nvidia.com/gpu"), s.shortName + " nvidia.com/gpu limit");
            assertEquals(wantsGpu, w.pod().getTolerations() != null && w.pod().getTolerations().stream()
                    .anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())), s.shortName + " tolerates the GPU taint");
            assertEquals(wantsGpu, w.pod().getNodeSelector() != null && !w.pod().getNodeSelector().isEmpty(),
                    s.shortName + " node selector");
            Workload base = new Workload(K8s.rendered("base"), s);
            assertFalse(base.container().getResources().getLimits().containsKey("nvidia.com/gpu"), "base asks no GPU");
        }));
    }
}
