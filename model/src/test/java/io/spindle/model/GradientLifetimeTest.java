package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Backward must not depend on what the JVM's garbage collector did since forward. DJL backs a scalar operand
 * ({@code x.mul(0.25f)}) with a tensor over a Java direct buffer and closes it right after the op, while
 * PyTorch's autograd keeps that tensor to compute the gradient; once a collection frees the buffer, backward
 * reads whatever the memory holds by then. In a busy service that happened in about one run in five (a wrong
 * gradient for the attention's queries, so the loss after the next step jumped by up to 2%: issue 5).
 */
class GradientLifetimeTest {

    private static final GptConfig SMALL = new GptConfig(64, 32, 32, 2, 1);

    @Test
    void gradientsDoNotChangeWhenTheGarbageCollectorRunsBetweenForwardAndBackward() {
        int[] tokens = new Random(3).ints(4 * 33, 0, 64).toArray();
        List<float[]> quiet = gradients(tokens, false);
        for (int attempt = 0; attempt < 3; attempt++) {
            List<float[]> stressed = gradients(tokens, true);
            for (int i = 0; i < quiet.size(); i++) {
                assertArrayEquals(quiet.get(i), stressed.get(i), "gradient of parameter " + i + ", attempt " + attempt);
            }
        }
    }

    /** Every parameter's gradient after one forward/backward; with {@code stress}, a full GC in between. */
    private static List<float[]> gradients(int[] tokens, boolean stress) {
        Gpt gpt = new Gpt(SMALL);
        try (Model model = Model.newInstance("gpt", "PyTorch")) {
            model.setBlock(gpt);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(new TokenCrossEntropy()))) {
                ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(5);
                trainer.initialize(new Shape(1, SMALL.contextLength()));
                try (NDManager scope = trainer.getManager().newSubManager()) {
                    long[] inputs = new long[4 * 32];
                    long[] targets = new long[4 * 32];
                    for (int r = 0; r < 4; r++) {
                        for (int i = 0; i < 32; i++) {
                            inputs[r * 32 + i] = tokens[r * 33 + i];
                            targets[r * 32 + i] = tokens[r * 33 + i + 1];
                        }
                    }
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDList logits = trainer.forward(new NDList(scope.create(inputs, new Shape(4, 32))));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(scope.create(targets, new Shape(4, 32))), logits);
                        if (stress) {
                            collectAndReuseFreedNativeMemory();
                        }
                        collector.backward(loss);
                    }
                    List<float[]> grads = new ArrayList<>();
                    for (Parameter parameter : gpt.getParameters().values()) {
                        NDArray grad = parameter.getArray().getGradient();
                        grads.add(grad.toFloatArray());
                        grad.close();
                    }
                    return grads;
                }
            }
        }
    }

    /**
     * Frees every unreachable direct buffer (a GC, then waiting for the cleaner to run) and hands their native
     * memory back out filled with garbage, as the service's other threads (Kafka, HTTP) do all the time.
     */
    private static void collectAndReuseFreedNativeMemory() {
        for (int round = 0; round < 3; round++) {
            WeakReference<Object> marker = new WeakReference<>(new Object());
            while (marker.get() != null) {
                System.gc();
            }
            try {
                Thread.sleep(50); // the cleaner thread frees the buffers after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<ByteBuffer> garbage = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(1 + i % 64);
                while (buffer.hasRemaining()) {
                    buffer.put((byte) 0x7f);
                }
                garbage.add(buffer);
            }
            garbage.clear();
        }
    }
}
