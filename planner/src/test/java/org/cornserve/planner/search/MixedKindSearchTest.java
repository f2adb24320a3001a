package org.cornserve.planner.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.PlannedDeployment;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.estimate.AnalyticEstimator;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The mixed-kind search against every plan on two small node groups (brute force on the same estimate). */
class MixedKindSearchTest {

    static List<TraceRecord> trace(long seed, int n) {
        Random rnd = new Random(seed);
        List<TraceRecord> out = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < n; i++) {
            t += (long) (-Math.log(1 - rnd.nextDouble()) * 1e8);
            List<MediaItem> media = rnd.nextDouble() < 0.7 ? List.of(MediaItem.imageTokens(256 + rnd.nextInt(2000))) : List.of();
            out.add(new TraceRecord(t, "default", new RequestShape(50 + rnd.nextInt(700), media, 10 + rnd.nextInt(200),
                    Set.of(Modality.TEXT))));
        }
        return out;
    }

    static List<MixedKindSearch.Pool> pools(String model, int h100s, int l40ss, long seed, String slo) {
        List<TraceRecord> t = CatalogProblems.routeToModels(trace(seed, 300), List.of(model), seed);
        List<MixedKindSearch.Pool> out = new ArrayList<>();
        for (Object[] g : new Object[][] {{"h100-sxm", h100s}, {"l40s", l40ss}}) {
            Hardware hw = HardwareCatalog.builtIn().get((String) g[0]);
            PlanningProblem p = CatalogProblems.build(ModelCatalog.builtIn(), List.of(model), hw, 1, (Integer) g[1], t,
                    Slo.parse(slo, 0.9), seed, 100, 0);
            out.add(new MixedKindSearch.Pool(p, hw.usdPerHour()));
        }
        return out;
    }

    /** Requests per dollar of every plan (every grouping, every deployment's kind, degree and replicas). */
    static double bruteForceBest(List<MixedKindSearch.Pool> pools, AnalyticEstimator estimator, String[] bestPlan) {
        Map<String, MixedKindSearch.Pool> byKind = new java.util.LinkedHashMap<>();
        pools.forEach(p -> byKind.put(p.kind(), p));
        double[] best = {0};
        for (Grouping g : Grouping.all(pools.get(0).problem())) {
            walk(g, 0, new ArrayList<>(), byKind, estimator, best, bestPlan, pools.get(0).kind());
        }
        return best[0];
    }

    private static void walk(Grouping g, int i, List<PlannedDeployment> chosen, Map<String, MixedKindSearch.Pool> byKind,
            AnalyticEstimator estimator, double[] best, String[] bestPlan, String primary) {
        if (i == g.groups().size()) {
            CandidatePlan plan = new CandidatePlan("brute", primary, chosen);
            double price = 0;
            for (PlannedDeployment d : chosen) {
                price += d.devices() * byKind.get(d.hardwareOr(primary)).usdPerDeviceHour();
            }
            double perDollar = estimator.capacityRps(plan) * 3600 / price;
            if (perDollar > best[0]) {
                best[0] = perDollar;
                bestPlan[0] = plan.describe();
            }
            return;
        }
        List<String> units = g.groups().get(i);
        for (MixedKindSearch.Pool p : byKind.values()) {
            AnalyticEstimator e = estimator.forKind(p.kind());
            int devices = p.problem().cluster().devices();
            int used = chosen.stream().filter(d -> d.hardwareOr(primary).equals(p.kind())).mapToInt(PlannedDeployment::devices).sum();
            for (int tp = 1; tp <= p.problem().cluster().devicesPerNode(); tp *= 2) {
                if (e.misfit(units, tp).isPresent()) {
                    continue;
                }
                for (int r = 1; used + r * tp <= devices; r++) {
                    chosen.add(new PlannedDeployment("d" + i, units, tp, r, p.kind().equals(primary) ? null : p.kind()));
                    walk(g, i + 1, chosen, byKind, estimator, best, bestPlan, primary);
                    chosen.remove(chosen.size() - 1);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"qwen2.5-vl-7b, 2, 2, 1, 'ttft=2000,tpot=100'", "qwen2.5-vl-7b, 2, 3, 2, 'ttft=1000,tpot=50'",
            "gemma-3-4b, 2, 2, 3, 'ttft=1000,tpot=50'"})
    void goodputPerDollarIsCloseToTheBruteForceBest(String model, int h100s, int l40ss, long seed, String slo) {
        List<MixedKindSearch.Pool> pools = pools(model, h100s, l40ss, seed, slo);
        MixedKindSearch search = new MixedKindSearch(pools, Objective.parse("goodput-per-dollar", 0),
                CornserveSearch.Options.DEFAULT);
        MixedKindSearch.Result r = search.search();
        String[] bestPlan = {""};
        double brute = bruteForceBest(pools, search.estimator(), bestPlan);
        System.out.printf("mixed-kind %s: search %.0f requests/$ (%s), brute force %.0f (%s); per kind %s%n", model,
                r.best().requestsPerDollar(), r.best().plan().describe(), brute, bestPlan[0],
                r.bestPerKind().values().stream().map(p -> String.format("%.0f %s", p.requestsPerDollar(), p.plan().describe())).toList());
        assertTrue(r.best().requestsPerDollar() <= brute * (1 + 1e-9), "brute force covers every plan");
        assertTrue(r.best().requestsPerDollar() >= 0.9 * brute, "search " + r.best() + " vs brute force " + brute + " " + bestPlan[0]);
        for (MixedKindSearch.PricedPlan p : r.bestPerKind().values()) {
            assertTrue(r.best().requestsPerDollar() >= p.requestsPerDollar(), "the best is at least each kind's best");
        }
        Map<String, Integer> used = r.best().plan().devicesByHardware();
        assertTrue(used.getOrDefault("h100-sxm", 0) <= h100s && used.getOrDefault("l40s", 0) <= l40ss, used.toString());
    }

    @ParameterizedTest
    @CsvSource({"qwen2.5-vl-7b, 1, 'ttft=2000,tpot=100', 3", "gemma-3-4b, 2, 'ttft=1000,tpot=50', 5"})
    void minDollarsServesTheTargetAtTheLeastPriceFound(String model, long seed, String slo, double rate) {
        List<MixedKindSearch.Pool> pools = pools(model, 4, 4, seed, slo);
        MixedKindSearch.Result r = new MixedKindSearch(pools, Objective.parse("min-dollars", rate),
                CornserveSearch.Options.DEFAULT).search();
        assertTrue(r.best().capacityRps() >= rate, r.best().toString());
        for (MixedKindSearch.PricedPlan p : r.bestPerKind().values()) {
            assertTrue(r.best().usdPerHour() <= p.usdPerHour() + 1e-9, p.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> new MixedKindSearch(pools, Objective.parse("min-dollars", 1e6),
                CornserveSearch.Options.DEFAULT).search());
    }

    @ParameterizedTest
    @CsvSource({"0.2", "1.0"})
    void anEvaluatorRanksTheFinalistsByWhatItMeasures(double l40sShare) {
        // A fake measurement that serves only l40sShare of the estimate on plans using L40S.
        List<MixedKindSearch.Pool> pools = pools("qwen2.5-vl-7b", 2, 2, 1, "ttft=2000,tpot=100");
        MixedKindSearch search = new MixedKindSearch(pools, Objective.parse("goodput-per-dollar", 0),
                CornserveSearch.Options.DEFAULT);
        PlanEvaluator fake = (plan, rate) -> {
            double cap = search.estimator().capacityRps(plan)
                    * (plan.devicesByHardware().containsKey("l40s") ? l40sShare : 1);
            double a = rate <= cap ? 1 : 0;
            return new PlanEvaluator.Evaluation(rate, rate * a, a);
        };
        MixedKindSearch.Result r = search.search(fake);
        assertTrue(r.best().measuredCapacityRps() != null);
        for (MixedKindSearch.PricedPlan p : r.bestPerKind().values()) {
            assertTrue(r.best().requestsPerDollar() >= p.requestsPerDollar() - 1e-9, p.toString());
        }
        // With L40S plans measuring at a fifth of their estimate, H100 plans win; at par, the L40S plan wins.
        assertEquals(l40sShare < 1 ? Set.of("h100-sxm") : Set.of("l40s"), r.best().plan().devicesByHardware().keySet());
    }

    @ParameterizedTest
    @CsvSource({"goodput", "min-devices"})
    void theDeviceObjectivesAreNotItsToPlan(String objective) {
        List<MixedKindSearch.Pool> pools = pools("qwen2.5-vl-7b", 2, 2, 1, "ttft=2000,tpot=100");
        assertThrows(IllegalArgumentException.class, () -> new MixedKindSearch(pools, Objective.parse(objective, 1),
                CornserveSearch.Options.DEFAULT));
        assertEquals(objective, Objective.parse(objective, 1).jsonName());
    }
}
