package org.cornserve.runtime.engine.tensor;

import java.util.Arrays;

/**
 * A dense row-major float32 tensor: a shape and the array holding its values. The array is shared,
 * not copied; kernels write into it in place.
 *
 * @param shape dimensions, outermost first
 * @param data values, {@code product(shape)} floats
 */
public record Tensor(int[] shape, float[] data) {
    public Tensor {
        shape = shape.clone();
        long n = elements(shape);
        if (data.length != n) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + n
                    + " floats, got " + data.length);
        }
    }

    /** A zero tensor of the given shape. */
    public static Tensor zeros(int... shape) {
        return new Tensor(shape, new float[Math.toIntExact(elements(shape))]);
    }

    /** Number of elements of a shape. */
    public static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** The shape (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension i. */
    public int dim(int i) {
        return shape[i];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The last dimension (row width). */
    public int cols() {
        return shape[shape.length - 1];
    }

    /** Number of rows: all elements over the last dimension. */
    public int rows() {
        return shape.length == 0 || cols() == 0 ? 0 : data.length / cols();
    }

    /** A copy of row r. */
    public float[] row(int r) {
        return Arrays.copyOfRange(data, r * cols(), (r + 1) * cols());
    }

    /** Bytes as float32. */
    public long bytes() {
        return 4L * data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
