package org.cornserve.cli.catalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import picocli.CommandLine.Option;

/**
 * {@code --hardware-file FILE} (repeatable): hardware kinds in the catalog's JSON layout
 * ({@code {"hardware": [...]}}), laid over the built-in catalog; a kind with a built-in name or alias replaces
 * the built-in one (a {@code profile calibrate} result does this), a new name adds a kind. Bad files stop with
 * {@code FILE:LINE:COLUMN: at field: problem}.
 */
public final class HardwareFileOption {
    @Option(names = "--hardware-file", paramLabel = "FILE",
            description = "hardware kinds in the catalog's JSON format, over the built-in ones (repeatable)")
    List<Path> files = new ArrayList<>();

    private HardwareCatalog catalog;

    /** The built-in hardware with the given files laid over it (read once). */
    public HardwareCatalog catalog() {
        if (catalog == null) {
            catalog = HardwareCatalog.builtInWith(files);
        }
        return catalog;
    }

    /** A plan validator over the built-in models and {@link #catalog()}. */
    public PlanValidator validator() {
        return new PlanValidator(ModelCatalog.builtIn(), catalog());
    }
}
