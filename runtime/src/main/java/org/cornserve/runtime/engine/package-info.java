/**
 * The CPU compute engine executors run: real transformer computation in Java.
 *
 * <ul>
 *   <li>{@code kernel}: blocked, multi-threaded float32 matrix multiply with a scalar and a JDK Vector
 *       API implementation chosen at run time ({@link org.cornserve.runtime.engine.kernel.Kernels}),
 *       optional bfloat16 weight storage, norms, softmax, GELU/SiLU, RoPE, dense attention, convolutions.
 *   <li>{@code llm}: a Llama/Qwen2-style decoder whose {@code step} mixes prefill chunks and decode
 *       tokens of many sequences over a paged KV cache, and a continuous-batching engine on top.
 *   <li>{@code vision}, {@code audio}, {@code image}: ViT encoder over decoded pixels, Whisper-style
 *       audio encoder over decoded samples, talker and vocoder (codes to WAV), diffusion transformer and
 *       VAE decoder (latent to PNG).
 *   <li>{@code weights}: seeded weights (default) and safetensors checkpoints with their config.json.
 *   <li>{@code generate}: sampling and tokenizers (byte-level; Hugging Face byte-level BPE).
 * </ul>
 *
 * <p>A sketch of serving-shaped use:
 *
 * <pre>{@code
 * try (Kernels k = Kernels.auto()) {
 *     LlmModel llm = new LlmModel(TinyModels.LLM, new SeededWeights(0), "", k, Set.of(ByteTokenizer.IMAGE));
 *     KvCache cache = KvCache.forBudget(TinyModels.LLM, 64L << 20, 16);
 *     LlmEngine engine = new LlmEngine(llm, cache, 512);
 *     engine.submit(new LlmEngine.Request(1, prompt, imageEmbeddings, 32, SamplingParams.greedy(),
 *             Set.of(ByteTokenizer.EOS), false));
 *     while (!engine.idle()) {
 *         LlmEngine.StepReport r = engine.step();   // one iteration: prefill chunks + decode tokens
 *         r.finished().forEach(f -> System.out.println(f.id() + " " + Arrays.toString(f.tokens())));
 *     }
 * }
 * }</pre>
 */
package org.cornserve.runtime.engine;
