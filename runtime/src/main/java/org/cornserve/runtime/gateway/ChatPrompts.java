package org.cornserve.runtime.gateway;

/**
 * How the chat endpoint turns messages into one prompt for the tiny models: a {@code role: text} line per message,
 * then {@value #ANSWER_CUE}. The markup is prompt tokens a trace's text tokens do not count (as a real model's chat
 * template is): a simulation of what the server runs adds them ({@code simulate --prompt-overhead-tokens}).
 */
public final class ChatPrompts {
    /** Between a message's role and its text. */
    public static final String ROLE_SEPARATOR = ": ";
    /** After each message. */
    public static final char MESSAGE_END = '\n';
    /** After the last message: the model answers from here. */
    public static final String ANSWER_CUE = "assistant:";

    private ChatPrompts() {
    }

    /** The prompt of one message of {@code role} with {@code text}. */
    public static String singleMessage(String role, String text) {
        return role + ROLE_SEPARATOR + text + MESSAGE_END + ANSWER_CUE;
    }
}
