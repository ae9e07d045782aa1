#!/usr/bin/env python3
"""The reference toolkit's model-type comparison, for the population tests.

facebookresearch/imagenetx is not installable here (no PyPI), so this is the
computation of its imagenet_x/plots.py, copied faithfully: generate_all_plots
(the population: the testbed, plus the self-supervised models of
model-vs-human and base, kept by extract_and_filter_by_model_type),
model_comparison (the error ratio per factor and model type, its mean and
std, and scipy.stats.alexandergovern across the types) and
factor_scatterplot (the order of the high-level scatter's panels). The
model types come from results/model_types.csv (the toolkit's
model_types_map with its architecture). What the toolkit does not compute
(the architecture grouping, Kendall's W, the mean pairwise Spearman rho and
a model's placement) is computed here with pandas, numpy and scipy as the
issue defines it, so that the Go code is checked against an independent
implementation. It needs Debian's python3-pandas and python3-scipy.

    /usr/bin/python3 scripts/reference_types.py --results DIR --release top|multi \\
        --error-type class|metaclass|real_class [--place TABLE.csv] [-o FILE]

It writes one JSON object (to standard output by default).
"""
import argparse
import json
import sys
import warnings

import numpy as np
import pandas as pd
from scipy import stats

FACTORS = [
    "pose", "background", "pattern", "color", "smaller", "shape", "partial_view", "subcategory",
    "texture", "larger", "darker", "object_blocking", "person_blocking", "style", "brighter",
    "multiple_objects",
]
SELFSUPERVISED_MODELS = [
    "simclr_resnet50x1", "simclr_resnet50x2", "simclr_resnet50x4",
    "InsDis", "MoCo", "PIRL", "MoCoV2", "InfoMin", "DINO",
]
MODEL_TYPE_ORDER = [
    "Supervised on more data", "Supervised on ImageNet-1K", "Self-supervised",
    "Robustness intervention",
]
HUMAN = "Original validation annotations"


def load(results, release, error_type):
    def read(source):
        return pd.read_csv(
            f"{results}/val/{release}_factor/{source}/{error_type}/accuracies_per_factor.csv"
        ).set_index("model")
    return read("imagenet_testbed"), read("modelvshuman"), read("base")


def typed(df, types_map, order):
    # extract_and_filter_by_model_type
    df = df.copy()
    df["model_type"] = df.index.map(
        lambda x: types_map[x] if x in types_map else HUMAN if x == "human" else "Other"
    )
    return df[df["model_type"].isin(order)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--release", required=True, choices=["top", "multi"])
    ap.add_argument("--error-type", required=True, choices=["class", "metaclass", "real_class"])
    ap.add_argument("--place")
    ap.add_argument("-o", default="-", help="output file (default: standard output)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    mt = pd.read_csv(f"{args.results}/model_types.csv", keep_default_na=False)
    types_map = {m: t for m, t in zip(mt.model, mt.model_type) if t != ""}
    arch_map = dict(zip(mt.model, mt.architecture))

    testbed, mvh, base = load(args.results, args.release, args.error_type)
    accuracies = pd.concat([
        testbed,
        mvh[mvh.index.isin(SELFSUPERVISED_MODELS)],
        base[base.index.isin(SELFSUPERVISED_MODELS)],
    ])
    order = MODEL_TYPE_ORDER + [HUMAN] if args.error_type == "real_class" else MODEL_TYPE_ORDER
    scatter = typed(accuracies, types_map, order)
    population = scatter[scatter.model_type.isin(MODEL_TYPE_ORDER)]
    out = {"n_population": len(population), "population": list(population.index)}

    # model_comparison(..., hue="model_type", show_significance=True)
    comparison = population[FACTORS + ["model_type", "average"]].melt(
        id_vars=["model_type", "average"], var_name="Factor", value_name="Accuracy")
    comparison["Error ratio"] = (1 - comparison["Accuracy"]) / (1 - comparison["average"])

    def group_table(df, hue):
        def test_significance(d):
            _, dfs = zip(*d.groupby(hue))
            return stats.alexandergovern(*[x["Error ratio"].values for x in dfs]).pvalue
        p = df.groupby("Factor").apply(test_significance)
        g = df.groupby(["Factor", hue])["Error ratio"]
        rows = []
        for (factor, group), mean in g.mean().items():
            rows.append({
                "factor": factor, "group": group,
                "n_models": int(g.count()[(factor, group)]),
                "mean": float(mean), "std": float(g.std()[(factor, group)]),
                "p": float(p[factor]),
            })
        return rows

    out["types"] = group_table(comparison, "model_type")

    # Kendall's W of the factor rankings (by mean error ratio) across the
    # groups, with the correction for ties, and the mean pairwise Spearman
    # rho of the models' error ratios.
    def kendall_w(rows):
        means = pd.DataFrame(rows).pivot(index="group", columns="factor", values="mean")[FACTORS]
        ranks = means.rank(axis=1, method="average")
        m, n = ranks.shape
        s = ((ranks.sum(axis=0) - ranks.values.sum() / n) ** 2).sum()
        ties = 0.0
        for _, r in ranks.iterrows():
            counts = r.value_counts()
            ties += float(((counts ** 3) - counts).sum())
        return float(12 * s / (m * m * (n ** 3 - n) - m * ties))

    def mean_spearman(df):
        # spearmanr of two models is the Pearson correlation of their
        # ranks: rank each model's ratios once, then correlate all pairs.
        er = (1 - df[FACTORS]).divide(1 - df["average"], axis=0).values
        ok = ~np.isnan(er).any(axis=1) & (er != er[:, :1]).any(axis=1)
        ranks = np.apply_along_axis(stats.rankdata, 1, er[ok])
        rho = np.corrcoef(ranks)
        upper = rho[np.triu_indices(len(ranks), k=1)]
        return float(upper.mean()), int(upper.size)

    out["types_kendall_w"] = kendall_w(out["types"])
    out["types_mean_spearman"], out["types_spearman_pairs"] = mean_spearman(population)

    # --by architecture: every model of the three sources once (testbed
    # first, then model-vs-human, then base), transformer vs convolutional.
    everyone = pd.concat([testbed, mvh, base])
    everyone = everyone[~everyone.index.duplicated(keep="first")].copy()
    everyone["architecture"] = everyone.index.map(lambda x: arch_map.get(x, ""))
    everyone = everyone[everyone.architecture.isin(["transformer", "convolutional"])]
    arch = everyone[FACTORS + ["architecture", "average"]].melt(
        id_vars=["architecture", "average"], var_name="Factor", value_name="Accuracy")
    arch["Error ratio"] = (1 - arch["Accuracy"]) / (1 - arch["average"])
    out["architecture"] = group_table(arch, "architecture")
    out["n_architecture"] = len(everyone)
    out["architecture_kendall_w"] = kendall_w(out["architecture"])
    out["architecture_mean_spearman"], _ = mean_spearman(everyone)

    # factor_scatterplot: panels ordered by the mean factor accuracy of each
    # factor's 20 most accurate models.
    melted = scatter.reset_index().melt(
        id_vars=["model", "average", "model_type"], var_name="Factor", value_name="y")
    melted["Error ratio"] = (1 - melted["y"]) / (1 - melted["average"])
    melted = melted.dropna()
    factor_order = (
        melted.sort_values(by="average", ascending=False)
        .groupby("Factor").head(20)
        .groupby("Factor")["y"].mean().sort_values().index
    )
    out["scatter_order"] = [f for f in factor_order if f in FACTORS]
    out["n_scatter"] = len(scatter)

    if args.place:
        table = pd.read_csv(args.place).set_index("model")
        x = population["average"].values
        placements = []
        for factor in FACTORS:
            y = ((1 - population[factor]) / (1 - population["average"])).values
            slope, intercept = np.polyfit(x, y, 1)
            n = len(x)
            resid = y - (slope * x + intercept)
            s = np.sqrt((resid ** 2).sum() / (n - 2))
            sxx = ((x - x.mean()) ** 2).sum()
            t = stats.t.ppf(0.975, n - 2)
            for model, row in table.iterrows():
                er = (1 - row[factor]) / (1 - row["average"])
                expected = slope * row["average"] + intercept
                half = t * s * np.sqrt(1 + 1 / n + (row["average"] - x.mean()) ** 2 / sxx)
                placements.append({
                    "model": model, "factor": factor, "error_ratio": float(er),
                    "percentile": float(100 * ((y < er).sum() + 0.5 * (y == er).sum()) / n),
                    "expected": float(expected), "lo": float(expected - half),
                    "hi": float(expected + half), "residual": float(er - expected),
                })
        out["placement"] = placements
    if args.o == "-":
        json.dump(out, sys.stdout)
    else:
        with open(args.o, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
