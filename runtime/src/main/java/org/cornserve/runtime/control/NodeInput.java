package org.cornserve.runtime.control;

import java.util.List;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * What an invocation is opened with beyond the tensors its producers hand it: the request's own data for that node.
 *
 * @param tokens an LLM-like node's prompt ids with placeholders (empty for others)
 * @param media tensors the control plane placed for it (preprocessed images or audio), in order
 * @param dims per-task sizes (image heights and widths, a latent's height and width)
 * @param maxTokens tokens to generate at most (a talker's is set when its thinker ends)
 * @param keepHidden an LLM hands its hidden states on
 * @param controlPlaneReads the control plane reads this node's output tensor (a WAV or PNG for the client)
 */
public record NodeInput(int[] tokens, List<TensorRef> media, int[] dims, int maxTokens, boolean keepHidden,
        boolean controlPlaneReads) {

    public NodeInput {
        tokens = tokens == null ? new int[0] : tokens;
        media = media == null ? List.of() : List.copyOf(media);
        dims = dims == null ? new int[0] : dims;
    }

    /** Nothing of the request's own (a node fed only by other invocations, or a simulated request). */
    public static final NodeInput NONE = new NodeInput(null, null, null, 0, false, false);
}
