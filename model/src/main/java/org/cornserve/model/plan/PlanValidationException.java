package org.cornserve.model.plan;

import java.util.List;

/** A plan that does not fit its catalogs or cluster; lists every problem found, each naming the deployment. */
public final class PlanValidationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public PlanValidationException(String source, List<String> problems) {
        super(source + " is invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
