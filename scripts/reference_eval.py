#!/usr/bin/env python3
"""The reference toolkit's factor table, for scripts/bench.sh.

facebookresearch/imagenetx's imagenet_x package is not installable here (no
PyPI), so this is its table code, copied faithfully from imagenet_x/utils.py
(load_annotations, load_model_predictions for CSV files,
augment_model_predictions, is_correct_real, to_metaclass) and
imagenet_x/aggregate.py (generate_all_tables for one error type: the
accuracies_per_factor.csv table with worst_100_classes), with the package's
annotation folder made a parameter. It needs only pandas (Debian's
python3-pandas) and writes what `imagenetx eval` writes, byte for byte.

    /usr/bin/python3 scripts/reference_eval.py --annotations DIR --predictions DIR \\
        [--error-type class|metaclass|real_class] -o table.csv
"""
import argparse
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

METACLASSES = [
    "device", "dog", "commodity", "bird", "structure", "covering", "wheeled_vehicle", "food",
    "equipment", "insect", "vehicle", "furniture", "primate", "vessel", "snake", "natural_object",
    "other",
]
FACTORS = [
    "pose", "background", "pattern", "color", "smaller", "shape", "partial_view", "subcategory",
    "texture", "larger", "darker", "object_blocking", "person_blocking", "style", "brighter",
    "multiple_objects",
]


def is_correct_real(file_names, predicted_class, path_to_real_labels):
    real_labels_json = json.load(open(path_to_real_labels))
    real_labels = {
        f"ILSVRC2012_val_{(i+1):08d}.JPEG": labels for i, labels in enumerate(real_labels_json)
    }
    real_labels = pd.DataFrame.from_dict(real_labels, orient="index")
    real_labels = real_labels.reindex(file_names).reset_index(drop=True)
    return real_labels.eq(predicted_class, axis=0).any(axis=1)


def to_metaclass(series, path_to_metaclass_mapping):
    metaclass_mapping = pd.read_csv(path_to_metaclass_mapping)
    mask = metaclass_mapping.isin(METACLASSES)
    metaclass_mapping = metaclass_mapping.where(mask, "other")
    return metaclass_mapping.name.loc[series].reset_index(drop=True)


def sanity_check(annotations, all):
    assert annotations.file_name.is_unique
    for model in all:
        assert all[model].file_name.is_unique


def load_model_predictions(annot, models_dir):
    filename_label = pd.read_csv(annot / "filename_label.csv")
    paths, labels = filename_label.file_name, filename_label.set_index("file_name").label
    models = {}
    top_1_accs = pd.Series(dtype=np.float32)
    for path in os.listdir(models_dir):
        df = pd.DataFrame()
        df["file_name"] = paths
        if path.endswith(".csv"):
            df = pd.read_csv(os.path.join(models_dir, path)).set_index("file_name")
            model = Path(path).stem
        else:
            raise ValueError(f"Unknown file type {path}")
        top_1_accs[model] = (df["predicted_class"] == labels).mean()
        models[model] = df
    return models, top_1_accs


def load_annotations(annot, which_factor="top", partition="val", filter_prototypes=True):
    annotations = pd.read_json(annot / f"imagenet_x_{partition}_{which_factor}_factor.jsonl", lines=True)
    annotations["metaclass"] = to_metaclass(annotations["class"], annot / "imagenet_1k_classes_to_100_metaclasses.csv")
    if filter_prototypes:
        prototypes = pd.read_csv(annot / "prototypical_paths.csv")
        annotations = annotations[~annotations["file_name"].isin(prototypes.file_name)]
    return annotations


def augment_model_predictions(annot, annotations, models, add_human_performance=False):
    if add_human_performance:
        human_model = annotations[["file_name", "class"]].rename(columns={"class": "predicted_class"})
        human_model["predicted_probability"] = 1.0
        models["human"] = human_model
    all = {model: pd.merge(annotations, models[model], on="file_name", how="inner") for model in models}
    for model in all:
        all[model]["model"] = model
    sanity_check(annotations, all)
    model_annotations = pd.concat(all.values(), ignore_index=True)
    model_annotations["is_correct"] = model_annotations["predicted_class"] == model_annotations["class"]
    model_annotations["is_correct_real"] = is_correct_real(
        model_annotations.file_name, model_annotations["predicted_class"], annot / "imagenet_real_labels.jsonl")
    model_annotations["predicted_metaclass"] = to_metaclass(
        model_annotations["predicted_class"], annot / "imagenet_1k_classes_to_100_metaclasses.csv")
    model_annotations["is_metaclass_correct"] = model_annotations["predicted_metaclass"] == model_annotations["metaclass"]
    return model_annotations


def _compute_factor_accuracies(all_df, factors, error_type, groupby="model"):
    factor_correct = all_df[all_df[error_type]].groupby(groupby)[factors].sum()
    groups = all_df.groupby(groupby)
    factor_total = groups[factors].sum()
    factor_accs = factor_correct / factor_total
    factor_accs["worst_factor"] = factor_accs.min(axis=1)
    factor_accs["average"] = groups[error_type].mean()
    return factor_accs


def worst_k_class_acc(all_df, k=50, error_type="is_correct"):
    worst_classes = (
        all_df.groupby(["model", "class"])[error_type].mean().sort_values()
        .groupby(level="model").head(k).index
    )
    return all_df.set_index(["model", "class"]).loc[worst_classes].groupby("model")[error_type].mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--annotations", required=True, type=Path)
    ap.add_argument("--predictions", required=True)
    ap.add_argument("--error-type", default="class", choices=["class", "metaclass", "real_class"])
    ap.add_argument("-o", required=True)
    args = ap.parse_args()
    model_predictions, _ = load_model_predictions(args.annotations, args.predictions)
    annotations = load_annotations(args.annotations)
    model_annotations = augment_model_predictions(args.annotations, annotations, model_predictions, add_human_performance=True)
    if args.error_type != "real_class":
        model_annotations = model_annotations[model_annotations.model != "human"]
    error_type = {"real_class": "is_correct_real", "metaclass": "is_metaclass_correct", "class": "is_correct"}[args.error_type]
    worst = worst_k_class_acc(model_annotations, k=100, error_type=error_type)
    x = _compute_factor_accuracies(model_annotations, FACTORS, error_type)
    x["worst_100_classes"] = worst
    x.to_csv(args.o)


if __name__ == "__main__":
    main()
