package org.cornserve.runtime.engine.llm;

import org.cornserve.runtime.engine.weights.WeightSource;
import org.cornserve.runtime.engine.weights.WeightSource.Init;

/** A from-scratch forward pass in double precision without any cache: the reference the engine is tested against. */
final class ReferenceLlm {
    private final LlmConfig c;
    private final WeightSource w;

    ReferenceLlm(LlmConfig c, WeightSource w) {
        this.c = c;
        this.w = w;
    }

    private double[] get(String name, Init init, int... shape) {
        float[] f = w.get(name, init, shape);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Logits after the last token of {@code tokens}, recomputing attention over the whole sequence. */
    double[] lastLogits(int[] tokens) {
        int n = tokens.length;
        int h = c.hidden();
        double[] emb = get("model.embed_tokens.weight", Init.SMALL, c.vocab(), h);
        double[][] x = new double[n][h];
        for (int i = 0; i < n; i++) {
            System.arraycopy(emb, tokens[i] * h, x[i], 0, h);
        }
        int hd = c.headDim();
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] xn = rms(x, get(p + "input_layernorm.weight", Init.ONES, h));
            double[][] q = lin(xn, get(p + "self_attn.q_proj.weight", Init.FAN_IN, c.qDim(), h), c.qDim());
            double[][] k = lin(xn, get(p + "self_attn.k_proj.weight", Init.FAN_IN, c.kvDim(), h), c.kvDim());
            double[][] v = lin(xn, get(p + "self_attn.v_proj.weight", Init.FAN_IN, c.kvDim(), h), c.kvDim());
            for (int i = 0; i < n; i++) {
                rope(q[i], c.heads(), i);
                rope(k[i], c.kvHeads(), i);
            }
            double[][] att = new double[n][c.qDim()];
            int group = c.heads() / c.kvHeads();
            for (int i = 0; i < n; i++) {
                for (int head = 0; head < c.heads(); head++) {
                    int ko = (head / group) * hd;
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double d = 0;
                        for (int e = 0; e < hd; e++) {
                            d += q[i][head * hd + e] * k[j][ko + e];
                        }
                        s[j] = d / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        for (int e = 0; e < hd; e++) {
                            att[i][head * hd + e] += s[j] / sum * v[j][ko + e];
                        }
                    }
                }
            }
            add(x, lin(att, get(p + "self_attn.o_proj.weight", Init.FAN_IN, h, c.qDim()), h));
            xn = rms(x, get(p + "post_attention_layernorm.weight", Init.ONES, h));
            double[][] g = lin(xn, get(p + "mlp.gate_proj.weight", Init.FAN_IN, c.intermediate(), h), c.intermediate());
            double[][] u = lin(xn, get(p + "mlp.up_proj.weight", Init.FAN_IN, c.intermediate(), h), c.intermediate());
            for (int i = 0; i < n; i++) {
                for (int e = 0; e < c.intermediate(); e++) {
                    g[i][e] = g[i][e] / (1 + Math.exp(-g[i][e])) * u[i][e];
                }
            }
            add(x, lin(g, get(p + "mlp.down_proj.weight", Init.FAN_IN, h, c.intermediate()), h));
        }
        double[][] last = rms(new double[][] {x[n - 1]}, get("model.norm.weight", Init.ONES, h));
        return lin(last, get("lm_head.weight", Init.FAN_IN, c.vocab(), h), c.vocab())[0];
    }

    private double[][] rms(double[][] x, double[] wt) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double ss = 0;
            for (double v : x[i]) {
                ss += v * v;
            }
            double inv = 1 / Math.sqrt(ss / x[i].length + c.rmsEps());
            out[i] = new double[x[i].length];
            for (int e = 0; e < x[i].length; e++) {
                out[i][e] = x[i][e] * inv * wt[e];
            }
        }
        return out;
    }

    private static double[][] lin(double[][] x, double[] wt, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int e = 0; e < in; e++) {
                    s += x[i][e] * wt[o * in + e];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] y) {
        for (int i = 0; i < x.length; i++) {
            for (int e = 0; e < x[i].length; e++) {
                x[i][e] += y[i][e];
            }
        }
    }

    private void rope(double[] x, int heads, int pos) {
        int hd = c.headDim();
        int half = hd / 2;
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < half; i++) {
                double ang = pos * Math.pow(c.ropeTheta(), -2.0 * i / hd);
                double a = x[head * hd + i];
                double b = x[head * hd + i + half];
                x[head * hd + i] = a * Math.cos(ang) - b * Math.sin(ang);
                x[head * hd + i + half] = b * Math.cos(ang) + a * Math.sin(ang);
            }
        }
    }
}
